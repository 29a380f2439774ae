using Microsoft.AspNetCore.Http.HttpResults;

namespace TokenTally.Application.Projects;

public sealed record CreateProjectRequest(string? Tenant, string? Project, Dictionary<string, string>? AzureDeployments = null);

public sealed record IssueKeyRequest(string? Name = null, IReadOnlyList<string>? Scopes = null);

public sealed record ApiKeyView(string KeyId, string Name, string Tenant, string Project, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
{
    public static ApiKeyView Of(ApiKeyRecord key) => new(key.KeyId, key.Name, key.Tenant, key.Project, key.Scopes, key.CreatedAt, key.RevokedAt);
}

/// <summary>Admin endpoints: projects, their Azure deployment mapping, and their API keys.</summary>
public static class ProjectsApi
{
    public static IEndpointRouteBuilder MapProjectsApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/v1/admin/projects").WithTags("Admin").RequireAuthorization(Policies.Admin);
        admin.MapPost("/", CreateProjectAsync).WithName("CreateProject").WithSummary("Creates a project for a tenant.");
        admin.MapGet("/{tenant}/{project}", GetProjectAsync).WithName("GetProject");
        admin.MapPut("/{tenant}/{project}/azure-deployments", SetAzureDeploymentsAsync).WithName("SetAzureDeployments")
            .WithSummary("Maps Azure OpenAI deployment names to models for pricing.");
        admin.MapPost("/{tenant}/{project}/keys", IssueKeyAsync).WithName("IssueKey")
            .WithSummary("Issues an API key with scopes (ingest, read:project, read:tenant; default ingest); its secret is shown only in this answer.");
        admin.MapGet("/{tenant}/{project}/keys", ListKeysAsync).WithName("ListKeys");
        admin.MapDelete("/{tenant}/{project}/keys/{keyId}", RevokeKeyAsync).WithName("RevokeKey");
        return app;
    }

    public static async Task<Results<Created<Project>, ValidationProblem, ProblemHttpResult>> CreateProjectAsync(
        CreateProjectRequest request, ProjectStore projects, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (!ProjectStore.IsValidName(request.Tenant))
        {
            errors["tenant"] = ["tenant must be 2-63 lower-case letters, digits or dashes, starting with a letter or digit."];
        }

        if (!ProjectStore.IsValidName(request.Project))
        {
            errors["project"] = ["project must be 2-63 lower-case letters, digits or dashes, starting with a letter or digit."];
        }

        ValidateDeployments(request.AzureDeployments, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var created = await projects.CreateAsync(request.Tenant!, request.Project!, request.AzureDeployments ?? [], cancellationToken);
        return created is null
            ? TypedResults.Problem(title: "Project exists", detail: $"Project {request.Tenant}/{request.Project} already exists.", statusCode: StatusCodes.Status409Conflict)
            : TypedResults.Created($"/api/v1/admin/projects/{created.Tenant}/{created.Name}", created);
    }

    public static async Task<Results<Ok<Project>, ProblemHttpResult>> GetProjectAsync(string tenant, string project, ProjectStore projects, CancellationToken cancellationToken) =>
        await projects.GetAsync(tenant, project, cancellationToken) is { } found ? TypedResults.Ok(found) : NoSuchProject(tenant, project);

    public static async Task<Results<Ok<Project>, ProblemHttpResult, ValidationProblem>> SetAzureDeploymentsAsync(
        string tenant, string project, Dictionary<string, string> deployments, ProjectStore projects, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        ValidateDeployments(deployments, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return await projects.SetAzureDeploymentsAsync(tenant, project, deployments, cancellationToken) is { } updated ? TypedResults.Ok(updated) : NoSuchProject(tenant, project);
    }

    public static async Task<Results<Created<IssuedKey>, ProblemHttpResult, ValidationProblem>> IssueKeyAsync(
        string tenant, string project, IssueKeyRequest request, ProjectStore projects, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var name = request.Name ?? "default";
        if (name.Length is 0 or > 64)
        {
            errors["name"] = ["name must be 1-64 characters."];
        }

        var scopes = request.Scopes ?? KeyScopeNames.Default;
        if (scopes.Count == 0 || scopes.Any(s => !KeyScopeNames.TryParse(s, out _)))
        {
            errors["scopes"] = [$"scopes must list one or more of {string.Join(", ", KeyScopeNames.All)}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (await projects.GetAsync(tenant, project, cancellationToken) is null)
        {
            return NoSuchProject(tenant, project);
        }

        var issued = await projects.IssueKeyAsync(tenant, project, name, scopes.Distinct().ToList(), cancellationToken);
        return TypedResults.Created($"/api/v1/admin/projects/{tenant}/{project}/keys/{issued.KeyId}", issued);
    }

    public static async Task<Results<Ok<IReadOnlyList<ApiKeyView>>, ProblemHttpResult>> ListKeysAsync(string tenant, string project, ProjectStore projects, CancellationToken cancellationToken)
    {
        if (await projects.GetAsync(tenant, project, cancellationToken) is null)
        {
            return NoSuchProject(tenant, project);
        }

        var keys = await projects.ListKeysAsync(tenant, project, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<ApiKeyView>>(keys.Select(ApiKeyView.Of).ToList());
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeKeyAsync(
        string tenant, string project, string keyId, ProjectStore projects, ApiKeyResolver keys, CancellationToken cancellationToken)
    {
        if (!await projects.RevokeKeyAsync(tenant, project, keyId, cancellationToken))
        {
            return NoSuchProject(tenant, project);
        }

        keys.Forget(keyId);
        return TypedResults.NoContent();
    }

    private static ProblemHttpResult NoSuchProject(string tenant, string project) =>
        TypedResults.Problem(title: "Not found", detail: $"No project {tenant}/{project}, or no such key in it.", statusCode: StatusCodes.Status404NotFound);

    private static void ValidateDeployments(Dictionary<string, string>? deployments, Dictionary<string, string[]> errors)
    {
        foreach (var (deployment, model) in deployments ?? [])
        {
            if (deployment.Length is 0 or > 64 || string.IsNullOrWhiteSpace(model) || model.Length > 128)
            {
                errors[$"azureDeployments.{deployment}"] = ["A deployment name is 1-64 characters and maps to a model name of 1-128 characters."];
            }
        }
    }
}
