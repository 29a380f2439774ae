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
                    Description = "LLM call cost and telemetry: ingestion, costs, prices, pipeline runs. Keys go in 'Authorization: Bearer <key>' or 'api-key: <key>'; in Azure, people sign in with Entra ID through App Service authentication instead (app roles TokenTally.Admin, TokenTally.Editor, TokenTally.Viewer).",
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
                document.Components.SecuritySchemes["appServiceSignIn"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "JWT",
                    Description = "Azure only, with TokenTally:Auth:Entra:Enabled: an Entra ID token for the app (or the sign-in session's cookie), validated by App Service authentication, "
                        + "which hands the app the principal. App roles: TokenTally.Admin (what the admin key may do), TokenTally.Editor (read the tenant; manage its budgets, channels, alerts), TokenTally.Viewer (read the tenant).",
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
