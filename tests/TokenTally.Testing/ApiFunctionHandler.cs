using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;
using TokenTally.Functions.Api;

namespace TokenTally.Testing;

/// <summary>
/// Answers each request by invoking the <see cref="ApiFunction"/> as the worker does: a real HttpContext whose services are
/// the invocation's scope, the request as sent, and the Durable client the binding supplies.
/// </summary>
public sealed class ApiFunctionHandler(IServiceProvider services, DurableTaskClient durableClient) : HttpMessageHandler
{
    /// <summary>A request context as the worker's ASP.NET Core integration hands it to the function.</summary>
    public static DefaultHttpContext NewContext(IServiceProvider requestServices, string method, string path, byte[]? body = null)
    {
        var context = new DefaultHttpContext { RequestServices = requestServices };
        context.Request.Method = method;
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("functions.test");
        context.Request.Path = path;
        if (body is not null)
        {
            context.Request.Body = new MemoryStream(body);
            context.Request.ContentLength = body.Length;

            // Kestrel says a request with a body has one; a bare DefaultHttpContext does not.
            context.Features.Set<IHttpRequestBodyDetectionFeature>(new RequestWithBody());
        }

        context.Response.Body = new MemoryStream();
        return context;
    }

    /// <summary>Invokes the function the way the worker does: a function instance of the invocation's scope.</summary>
    public static Task InvokeAsync(HttpContext context, DurableTaskClient durableClient) =>
        ActivatorUtilities.CreateInstance<ApiFunction>(context.RequestServices).RunAsync(context.Request, durableClient);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var context = NewContext(scope.ServiceProvider, request.Method.Method, request.RequestUri!.AbsolutePath, body);
        context.Request.QueryString = new QueryString(request.RequestUri.Query);
        foreach (var (name, values) in request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>()))
        {
            context.Request.Headers[name] = new StringValues(values.ToArray());
        }

        context.RequestAborted = cancellationToken;
        await InvokeAsync(context, durableClient);

        var response = new HttpResponseMessage((HttpStatusCode)context.Response.StatusCode)
        {
            RequestMessage = request,
            Content = new ByteArrayContent(((MemoryStream)context.Response.Body).ToArray()),
        };
        foreach (var (name, values) in context.Response.Headers)
        {
            if (!response.Headers.TryAddWithoutValidation(name, values.ToArray()))
            {
                response.Content.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }

        return response;
    }

    private sealed class RequestWithBody : IHttpRequestBodyDetectionFeature
    {
        public bool CanHaveBody => true;
    }
}
