using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace TokenTally.Application.Hosting;

/// <summary>
/// Turns a request the framework could not bind (no body, a JSON body that does not parse or does not fit the type, a
/// query value of the wrong type) into a validation problem that names the field, instead of a bare "Bad Request".
/// </summary>
internal sealed class BadRequestProblems(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad)
        {
            return false;
        }

        var (field, message) = bad.InnerException switch
        {
            JsonException json => (FieldOf(json.Path), Describe(json)),
            _ when bad.Message.Contains("no body was provided", StringComparison.OrdinalIgnoreCase) || bad.Message.Contains("body was empty", StringComparison.OrdinalIgnoreCase)
                => ("body", "The request needs a JSON body."),
            _ => (ParameterOf(bad.Message) ?? "request", bad.Message),
        };
        context.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
            {
                Status = bad.StatusCode,
                Title = "One or more validation errors occurred.",
            },
        });
    }

    /// <summary><c>$.from</c> → <c>from</c>; <c>$.events[3].model</c> → <c>events[3].model</c>; the root → <c>body</c>.</summary>
    private static string FieldOf(string? path) => path is null or "$" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    private static string Describe(JsonException json) =>
        json.Path is null or "$" ? "The body is not the JSON object this endpoint takes." : $"The value of {FieldOf(json.Path)} is not valid here: {FirstSentence(json.Message)}";

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }

    /// <summary>The parameter a binding message names: <c>Failed to bind parameter "int n" from "x".</c> → <c>n</c>.</summary>
    private static string? ParameterOf(string message)
    {
        var start = message.IndexOf('"');
        var end = start < 0 ? -1 : message.IndexOf('"', start + 1);
        return end < 0 ? null : message[(start + 1)..end].Split(' ')[^1];
    }
}
