using Microsoft.OpenApi;

namespace TokenTally.Application.Hosting;

/// <summary>The OpenAPI document, generated from the endpoints and served at <see cref="Route"/>; a copy is committed (Http/openapi.v1.json).</summary>
public static class OpenApiSetup
{
    public const string Route = "/api/v1/openapi.json";

    public static IServiceCollection AddTokenTallyOpenApi(this IServiceCollection services) =>
        services.AddOpenApi("v1", options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "TokenTally API",
                    Version = "v1",
                    Description = "LLM call cost and telemetry: ingestion, costs, prices, pipeline runs. Keys go in 'Authorization: Bearer <key>' or 'api-key: <key>'.",
                };
                document.Servers = [];
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["apiKey"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.ApiKey,
                    In = ParameterLocation.Header,
                    Name = "api-key",
                    Description = "A TokenTally key (tt_…); also accepted as 'Authorization: Bearer <key>'. Project keys carry scopes: ingest, read:project, read:tenant.",
                };
                return Task.CompletedTask;
            });
        });

    public static IEndpointRouteBuilder MapTokenTallyOpenApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi(Route).AllowAnonymous();
        return app;
    }
}
