namespace TokenTally.Functions.Invocations;

/// <summary>
/// Fails start-up when the host contract and the server disagree: a function.json with no handler
/// (or, for HTTP functions, no endpoint under its route), or a handler with no function.json.
/// A startup filter, because endpoints exist only once the pipeline is built, and that happens
/// before the server listens.
/// </summary>
internal sealed class FunctionCatalogCheck(FunctionCatalog catalog, IEnumerable<IFunctionHandler> handlers, EndpointDataSource endpoints) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        next(app);
        var problems = FindProblems().ToList();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(
                $"The functions in {catalog.ScriptRoot} and the server's handlers do not match:\n  " + string.Join("\n  ", problems));
        }
    };

    private IEnumerable<string> FindProblems()
    {
        var handlerNames = handlers.GroupBy(h => h.FunctionName, StringComparer.OrdinalIgnoreCase).ToList();
        foreach (var duplicate in handlerNames.Where(g => g.Count() > 1))
        {
            yield return $"More than one IFunctionHandler is named '{duplicate.Key}'.";
        }

        var routes = endpoints.Endpoints.OfType<RouteEndpoint>().Select(e => e.RoutePattern.RawText?.Trim('/') ?? string.Empty).ToList();
        foreach (var function in catalog.Functions)
        {
            if (function.IsHttp)
            {
                var route = HttpRoute(function);
                if (!routes.Any(r => r.StartsWith(route, StringComparison.OrdinalIgnoreCase)))
                {
                    yield return $"HTTP function '{function.Name}' ({function.Name}/function.json) forwards /{route}, but no endpoint is mapped there.";
                }
            }
            else if (!handlerNames.Any(g => string.Equals(g.Key, function.Name, StringComparison.OrdinalIgnoreCase)))
            {
                yield return $"Function '{function.Name}' ({function.Name}/function.json, {function.Trigger.Type}) has no handler: register an IFunctionHandler whose FunctionName is '{function.Name}'.";
            }
        }

        foreach (var handler in handlerNames.Where(g => catalog.Find(g.Key) is null))
        {
            yield return $"Handler '{handler.Key}' has no function.json: add {handler.Key}/function.json to {catalog.ScriptRoot}.";
        }
    }

    /// <summary>The path the host forwards for an HTTP function: routePrefix/route, without catch-all or optional segments.</summary>
    private string HttpRoute(FunctionDescriptor function)
    {
        var route = function.Trigger.Route ?? function.Name;
        var fixedPart = route.Split('{')[0].Trim('/');
        return string.Join('/', new[] { catalog.HttpRoutePrefix.Trim('/'), fixedPart }.Where(p => p.Length > 0));
    }
}
