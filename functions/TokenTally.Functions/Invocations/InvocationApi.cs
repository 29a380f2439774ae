using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace TokenTally.Functions.Invocations;

/// <summary>POST /{FunctionName}: the Functions host's payload-mode invocations.</summary>
public static class InvocationApi
{
    public const string InvocationIdHeader = "X-Azure-Functions-InvocationId";

    public static IEndpointRouteBuilder MapInvocationApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/{functionName}", InvokeAsync)
            .WithName("InvokeFunction")
            .WithSummary("Custom handler invocation: the host POSTs {Data, Metadata} and gets {Outputs, Logs, ReturnValue}.")
            .ExcludeFromDescription();
        return app;
    }

    public static async Task<Results<Ok<InvocationResponse>, ValidationProblem, ProblemHttpResult>> InvokeAsync(
        string functionName, HttpRequest request, FunctionCatalog catalog, FunctionInvoker invoker, CancellationToken cancellationToken)
    {
        var function = catalog.Find(functionName);
        if (function is null)
        {
            return TypedResults.Problem(
                title: "Unknown function", detail: $"No function named '{functionName}' is deployed with this app.", statusCode: StatusCodes.Status404NotFound);
        }

        if (function.IsHttp)
        {
            return TypedResults.Problem(
                title: "Not an invocable function", statusCode: StatusCodes.Status404NotFound,
                detail: $"'{functionName}' is an HTTP function: the host forwards its requests to its route instead of invoking it.");
        }

        JsonElement body;
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
            body = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["body"] = [$"The invocation payload is not valid JSON: {e.Message}"] },
                title: "Malformed invocation payload");
        }

        var envelope = InvocationRequest.Parse(body);
        if (!envelope.IsValid)
        {
            return TypedResults.ValidationProblem(envelope.Errors!.ToDictionary(), title: "Malformed invocation payload");
        }

        var invocationId = request.Headers[InvocationIdHeader].FirstOrDefault() ?? Guid.NewGuid().ToString();
        var outcome = await invoker.InvokeAsync(function, envelope.Value, invocationId, cancellationToken);
        return outcome.Result switch
        {
            InvocationResult.Invalid invalid => TypedResults.ValidationProblem(invalid.Errors.ToDictionary(), title: $"Malformed {function.Name} payload"),
            InvocationResult.Failed failed => TypedResults.Problem(
                title: $"{function.Name} failed", detail: failed.Reason, statusCode: StatusCodes.Status500InternalServerError,
                extensions: new Dictionary<string, object?> { ["logs"] = outcome.Logs }),
            InvocationResult.Completed completed => TypedResults.Ok(new InvocationResponse(completed.Outputs, outcome.Logs, completed.ReturnValue)),
            _ => throw new InvalidOperationException($"Unknown invocation result {outcome.Result.GetType().Name}."),
        };
    }
}
