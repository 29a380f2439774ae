using Microsoft.DurableTask.Client;

namespace TokenTally.Application.Tests.Hosts;

/// <summary>A running TokenTally API with its own data: local mode on loopback, or the Functions app's HTTP function in process.</summary>
public interface IApiHost : IAsyncDisposable
{
    /// <summary>A client whose requests reach the API (relative paths such as <c>/api/v1/events</c>).</summary>
    HttpClient Client { get; }

    /// <summary>The host's services, for what a test must read or arrange behind the API.</summary>
    IServiceProvider Services { get; }

    /// <summary>The admin key of this host.</summary>
    string AdminKey { get; }

    /// <summary>A client of the host's Durable Task backend, as the timer function or local mode's scheduler use it.</summary>
    DurableTaskClient DurableClient { get; }
}
