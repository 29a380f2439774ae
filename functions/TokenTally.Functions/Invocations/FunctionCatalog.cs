using System.Text.Json;
using Microsoft.Extensions.Options;
using TokenTally.Functions.Hosting;

namespace TokenTally.Functions.Invocations;

/// <summary>One binding of a function.json.</summary>
public sealed record BindingDescriptor(
    string Type,
    string Direction,
    string Name,
    string? Schedule = null,
    bool RunOnStartup = false,
    string? QueueName = null,
    string? Route = null,
    IReadOnlyList<string>? Methods = null,
    string? AuthLevel = null,
    string? Connection = null,
    string? Cardinality = null,
    string? DataType = null)
{
    public bool IsTrigger => Direction == "in" && Type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase);
}

/// <summary>The top-level <c>retry</c> of a function.json (timer and Event Hub triggers).</summary>
public sealed record RetryPolicy(string Strategy, int MaxRetryCount, TimeSpan DelayInterval, TimeSpan MinimumInterval, TimeSpan MaximumInterval)
{
    /// <summary>The wait before retry number <paramref name="retry"/> (1-based).</summary>
    public TimeSpan DelayBefore(int retry) => Strategy == "fixedDelay"
        ? DelayInterval
        : TimeSpan.FromTicks(Math.Min(MaximumInterval.Ticks, MinimumInterval.Ticks * (1L << Math.Min(retry - 1, 30))));
}

/// <summary>A function as its function.json declares it.</summary>
public sealed record FunctionDescriptor(string Name, string FilePath, IReadOnlyList<BindingDescriptor> Bindings, RetryPolicy? Retry)
{
    public BindingDescriptor Trigger => Bindings.Single(b => b.IsTrigger);

    public bool IsHttp => Trigger.Type.Equals("httpTrigger", StringComparison.OrdinalIgnoreCase);
}

/// <summary>Every function.json under the script root, read once at start-up.</summary>
public sealed class FunctionCatalog
{
    public FunctionCatalog(IOptions<FunctionsOptions> options, IConfiguration configuration)
    {
        ScriptRoot = ResolveScriptRoot(options.Value.ScriptRoot, configuration["FUNCTIONS_APP_ROOT_PATH"]);
        var errors = new List<string>();
        var functions = new List<FunctionDescriptor>();
        foreach (var directory in Directory.EnumerateDirectories(ScriptRoot).Order(StringComparer.Ordinal))
        {
            var file = Path.Combine(directory, "function.json");
            if (File.Exists(file))
            {
                var function = Read(Path.GetFileName(directory), file, errors);
                if (function is not null)
                {
                    functions.Add(function);
                }
            }
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Invalid function.json files:\n  " + string.Join("\n  ", errors));
        }

        Functions = functions;
        HttpRoutePrefix = ReadRoutePrefix(ScriptRoot);
    }

    public string ScriptRoot { get; }

    public IReadOnlyList<FunctionDescriptor> Functions { get; }

    /// <summary>host.json extensions.http.routePrefix ("api" when absent).</summary>
    public string HttpRoutePrefix { get; }

    public FunctionDescriptor? Find(string name) =>
        Functions.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));

    private static string ResolveScriptRoot(string? configured, string? appRoot)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return RequireDirectory(Path.GetFullPath(configured), "TokenTally:Functions:ScriptRoot");
        }

        if (!string.IsNullOrWhiteSpace(appRoot))
        {
            return RequireDirectory(appRoot, "FUNCTIONS_APP_ROOT_PATH");
        }

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "host.json")) && Directory.Exists(Path.Combine(dir.FullName, "functions")))
                {
                    return Path.Combine(dir.FullName, "functions");
                }
            }
        }

        throw new InvalidOperationException("Cannot find the function.json files: set TokenTally:Functions:ScriptRoot, or run from the repository (host.json beside functions/).");
    }

    private static string RequireDirectory(string path, string setting) => Directory.Exists(path)
        ? path
        : throw new InvalidOperationException($"{setting} names '{path}', which is not a folder.");

    private static string ReadRoutePrefix(string scriptRoot)
    {
        // In the repository host.json sits above functions/; in a deployment it sits beside the function folders.
        var hostJson = new[] { Path.Combine(scriptRoot, "host.json"), Path.Combine(scriptRoot, "..", "host.json") }.FirstOrDefault(File.Exists);
        if (hostJson is null)
        {
            return "api";
        }

        using var document = JsonDocument.Parse(File.ReadAllText(hostJson));
        return document.RootElement.TryGetProperty("extensions", out var extensions)
            && extensions.TryGetProperty("http", out var http)
            && http.TryGetProperty("routePrefix", out var prefix)
            ? prefix.GetString() ?? "api"
            : "api";
    }

    private static FunctionDescriptor? Read(string name, string file, List<string> errors)
    {
        var relative = Path.Combine(name, "function.json");
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
            var root = document.RootElement;
            if (!root.TryGetProperty("bindings", out var bindingsElement) || bindingsElement.ValueKind != JsonValueKind.Array)
            {
                errors.Add($"{relative}: 'bindings' must be an array.");
                return null;
            }

            var bindings = bindingsElement.EnumerateArray().Select(ReadBinding).ToList();
            var triggers = bindings.Count(b => b.IsTrigger);
            if (triggers != 1)
            {
                errors.Add($"{relative}: a function needs exactly one trigger binding (direction 'in', type ending in 'Trigger'); found {triggers}.");
                return null;
            }

            foreach (var binding in bindings.Where(b => string.IsNullOrEmpty(b.Name)))
            {
                errors.Add($"{relative}: the {binding.Type} binding has no name.");
            }

            var retry = root.TryGetProperty("retry", out var retryElement) ? ReadRetry(retryElement) : null;
            return new FunctionDescriptor(name, file, bindings, retry);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            errors.Add($"{relative}: {e.Message}");
            return null;
        }
    }

    private static BindingDescriptor ReadBinding(JsonElement binding) => new(
        Type: String(binding, "type") ?? string.Empty,
        Direction: String(binding, "direction") ?? string.Empty,
        Name: String(binding, "name") ?? string.Empty,
        Schedule: String(binding, "schedule"),
        RunOnStartup: binding.TryGetProperty("runOnStartup", out var startup) && startup.ValueKind == JsonValueKind.True,
        QueueName: String(binding, "queueName"),
        Route: String(binding, "route"),
        Methods: binding.TryGetProperty("methods", out var methods) && methods.ValueKind == JsonValueKind.Array
            ? methods.EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant()).ToList()
            : null,
        AuthLevel: String(binding, "authLevel"),
        Connection: String(binding, "connection"),
        Cardinality: String(binding, "cardinality"),
        DataType: String(binding, "dataType"));

    private static RetryPolicy ReadRetry(JsonElement retry)
    {
        var strategy = String(retry, "strategy") ?? throw new FormatException("retry.strategy is required (fixedDelay or exponentialBackoff).");
        if (strategy is not ("fixedDelay" or "exponentialBackoff"))
        {
            throw new FormatException($"retry.strategy '{strategy}' is not fixedDelay or exponentialBackoff.");
        }

        return new RetryPolicy(
            strategy,
            retry.TryGetProperty("maxRetryCount", out var max) ? max.GetInt32() : 0,
            Span(retry, "delayInterval"),
            Span(retry, "minimumInterval"),
            Span(retry, "maximumInterval"));
    }

    private static TimeSpan Span(JsonElement element, string name) =>
        String(element, name) is { } text ? TimeSpan.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : TimeSpan.Zero;

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
