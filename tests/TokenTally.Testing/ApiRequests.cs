using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;

namespace TokenTally.Testing;

/// <summary>Requests as the API's callers send them.</summary>
public static class ApiRequests
{
    /// <summary>A request with the admin key as a bearer token and <paramref name="body"/> as JSON.</summary>
    public static HttpRequestMessage Admin(HttpMethod method, string path, string adminKey, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return request;
    }

    /// <summary>A request that presents <paramref name="key"/> as apps do, in the api-key header.</summary>
    public static HttpRequestMessage WithKey(HttpMethod method, string path, string key, string? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.TryAddWithoutValidation("api-key", key);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return request;
    }
}
