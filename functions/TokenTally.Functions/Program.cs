using TokenTally.Functions.Demo;
using TokenTally.Functions.Costs;
using TokenTally.Functions.Health;
using TokenTally.Functions.Hosting;
using TokenTally.Functions.Ingestion;
using TokenTally.Functions.Invocations;
using TokenTally.Functions.Local;
using TokenTally.Functions.Pipeline;
using TokenTally.Functions.Pricing;
using TokenTally.Functions.Projects;
using TokenTally.Functions.Storage;
using TokenTally.Functions.Telemetry;

var builder = WebApplication.CreateBuilder(DemoSetup.ExpandDemoSwitch(args));
builder.AddLocalSettingsFile();
builder.AddHosting();
builder.AddTelemetry();
builder.Services.AddInvocations();
builder.Services.AddStorage();
builder.Services.AddProjects();
builder.Services.AddPricing();
builder.Services.AddIngestion();
builder.Services.AddPipeline();
builder.Services.AddLocalMode();
builder.Services.AddDemo();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.MapRoot();
app.MapHealthApi();
app.MapProjectsApi();
app.MapPricesApi();
app.MapIngestionApi();
app.MapPipelineApi();
app.MapCostsApi();
app.MapInvocationApi();
app.Run();

/// <summary>The entry point, visible to the tests that start the real server.</summary>
public partial class Program;
