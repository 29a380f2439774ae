using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Primitives;
using TokenTally.Functions.Api;

namespace TokenTally.Application.Tests.Hosts;

/// <summary>
/// Sends each request to the Functions app's <see cref="ApiFunction"/> as the worker would: a real HttpContext with the
/// invocation's services, the request as sent, the Durable client the binding supplies; the function's response becomes
/// the answer.
/// </summary>
public sealed class FunctionInvoker(IServiceProvider services, DurableTaskClient durableClient) : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Method = request.Method.Method;
        context.Request.Scheme = request.RequestUri!.Scheme;
        context.Request.Host = new HostString(request.RequestUri.Authority);
        context.Request.Path = request.RequestUri.AbsolutePath;
        context.Request.QueryString = new QueryString(request.RequestUri.Query);
        foreach (var (name, values) in request.Headers)
        {
            context.Request.Headers[name] = new StringValues(values.ToArray());
        }

        if (request.Content is not null)
        {
            foreach (var (name, values) in request.Content.Headers)
            {
                context.Request.Headers[name] = new StringValues(values.ToArray());
            }

            var body = await request.Content.ReadAsByteArrayAsync(cancellationToken);
            context.Request.Body = new MemoryStream(body);
            context.Request.ContentLength = body.Length;
            context.Features.Set<IHttpRequestBodyDetectionFeature>(new RequestWithBody());
        }

        var responseBody = new MemoryStream();
        context.Response.Body = responseBody;
        context.RequestAborted = cancellationToken;

        var function = ActivatorUtilities.CreateInstance<ApiFunction>(scope.ServiceProvider);
        await function.RunAsync(context.Request, durableClient);

        var response = new HttpResponseMessage((HttpStatusCode)context.Response.StatusCode)
        {
            RequestMessage = request,
            Content = new ByteArrayContent(responseBody.ToArray()),
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

    /// <summary>What the server tells the framework of a request that has a body (Kestrel does; a bare DefaultHttpContext does not).</summary>
    private sealed class RequestWithBody : IHttpRequestBodyDetectionFeature
    {
        public bool CanHaveBody => true;
    }
}
