using TokenTally.Functions.Health;
using TokenTally.Functions.Hosting;
using TokenTally.Functions.Invocations;
using TokenTally.Functions.Local;
using TokenTally.Functions.Pipeline;
using TokenTally.Functions.Storage;
using TokenTally.Functions.Telemetry;

var builder = WebApplication.CreateBuilder(args);
builder.AddLocalSettingsFile();
builder.AddHosting();
builder.AddTelemetry();
builder.Services.AddInvocations();
builder.Services.AddStorage();
builder.Services.AddPipeline();
builder.Services.AddLocalMode();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapRoot();
app.MapHealthApi();
app.MapInvocationApi();
app.Run();

/// <summary>The entry point, visible to the tests that start the real server.</summary>
public partial class Program;
