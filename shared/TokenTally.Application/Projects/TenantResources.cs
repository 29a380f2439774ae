using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using TokenTally.Core.Calls;

namespace TokenTally.Application.Projects;

/// <summary>The tenant a request about a tenant's resources (budgets, channels) is about, or why there is none: a validation problem (400), 403 or 404.</summary>
public sealed record TenantChoice(string? Tenant, ProblemHttpResult? Refused = null);

/// <summary>
/// What the endpoints of a tenant's resources share: the admin key names the tenant (<c>?tenant=acme</c>), a project key's
/// is its own; field errors as validation problems; store etags as opaque strong entity tags and If-Match.
/// </summary>
public static class TenantResources
{
    /// <summary>
    /// The tenant a request is about: the admin key names it (<c>?tenant=</c>, a tenant with a project); a project key's is its
    /// own, and naming another is refused. A query parameter other than <c>tenant</c> and <paramref name="parameters"/> is an
    /// error. <paramref name="resources"/> names what the endpoint serves (<c>budgets</c>), for the messages.
    /// </summary>
    public static async Task<TenantChoice> TenantOfAsync(
        string? tenant, HttpRequest request, Caller caller, ProjectStore projects, string resources, CancellationToken cancellationToken, params IReadOnlyCollection<string> parameters)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(projects);
        var errors = new Dictionary<string, string[]>();

        // A signed-in admin with a tenant of its own means that one unless it names another.
        tenant ??= caller.IsAdmin ? caller.Tenant : null;
        foreach (var name in request.Query.Keys.Where(k => k != "tenant" && !parameters.Contains(k)))
        {
            errors[name] = [parameters.Count == 0
                ? $"'{name}' is not a parameter of this endpoint; it takes tenant only (for the admin key)."
                : $"'{name}' is not a parameter of this endpoint; it takes tenant, {string.Join(", ", parameters)}."];
        }

        if (caller.IsAdmin && tenant is null)
        {
            errors["tenant"] = [$"The admin key names the tenant whose {resources} it means: ?tenant=acme."];
        }
        else if (tenant is not null && !ProjectStore.IsValidName(tenant))
        {
            errors["tenant"] = ["tenant must be 2-63 lower-case letters, digits or dashes."];
        }

        if (errors.Count > 0)
        {
            return new TenantChoice(null, TypedResults.Problem(new HttpValidationProblemDetails(errors) { Status = StatusCodes.Status400BadRequest }));
        }

        if (!caller.IsAdmin)
        {
            return tenant is null || tenant == caller.RequiredTenant
                ? new TenantChoice(caller.RequiredTenant)
                : new TenantChoice(null, Refused: TypedResults.Problem(title: "Forbidden", detail: $"This key reads tenant '{caller.RequiredTenant}' only.", statusCode: StatusCodes.Status403Forbidden));
        }

        return (await projects.ListTenantsAsync(cancellationToken)).Contains(tenant!)
            ? new TenantChoice(tenant)
            : new TenantChoice(null, Refused: TypedResults.Problem(title: "Not found", detail: $"No tenant '{tenant}': a tenant comes into being with its first project.", statusCode: StatusCodes.Status404NotFound));
    }

    /// <summary>The most items one page of a list holds.</summary>
    public const int MaxPageSize = 200;

    /// <summary>The items one page holds unless <c>limit</c> says otherwise.</summary>
    public const int DefaultPageSize = 50;

    /// <summary>
    /// The page size a list request asks for (<c>limit</c>, 1-<see cref="MaxPageSize"/>, default <see cref="DefaultPageSize"/>),
    /// adding an error for a bad <c>limit</c> or a <c>cursor</c> the list did not issue (<paramref name="isCursor"/>).
    /// </summary>
    public static int PageSize(string? limit, string? cursor, Func<string, bool> isCursor, List<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(isCursor);
        ArgumentNullException.ThrowIfNull(errors);
        var size = DefaultPageSize;
        if (limit is not null && (!int.TryParse(limit, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxPageSize))
        {
            errors.Add(new FieldError("limit", "range", $"limit is a whole number from 1 to {MaxPageSize}."));
        }

        if (cursor is not null && !isCursor(cursor))
        {
            errors.Add(new FieldError("cursor", "invalid", "cursor is not one this API issued: pass the nextCursor of the previous page as it is."));
        }

        return size;
    }

    /// <summary>A validation problem listing each field's messages (<c>errors</c>) and each error with its code (<c>fieldErrors</c>).</summary>
    public static ValidationProblem ValidationProblem(IReadOnlyList<FieldError> errors) => TypedResults.ValidationProblem(
        errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
        extensions: new Dictionary<string, object?> { ["fieldErrors"] = errors });

    /// <summary>The store's etag, opaque to clients, as a strong entity tag (stores' etags may hold quotes).</summary>
    public static string ETagHeader(string etag) => $"\"{Convert.ToBase64String(Encoding.UTF8.GetBytes(etag)).TrimEnd('=').Replace('+', '-').Replace('/', '_')}\"";

    /// <summary>
    /// The store etag an If-Match header names: null for none or <c>*</c>; false when it names none this API issued (so it
    /// matches nothing).
    /// </summary>
    public static bool TryIfMatch(HttpRequest request, out string? etag)
    {
        ArgumentNullException.ThrowIfNull(request);
        etag = null;
        var header = request.Headers.IfMatch.ToString().Trim();
        if (header is "" or "*")
        {
            return true;
        }

        if (header.Length < 2 || header[0] != '"' || header[^1] != '"')
        {
            return false;
        }

        var text = header[1..^1].Replace('-', '+').Replace('_', '/');
        var bytes = new byte[text.Length];
        if (!Convert.TryFromBase64String(text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '='), bytes, out var written))
        {
            return false;
        }

        etag = Encoding.UTF8.GetString(bytes, 0, written);
        return true;
    }
}
