using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TokenTally.Application.Health;

/// <summary>Runs a costly probe at most once per <paramref name="interval"/>, whatever the rate of health requests, and answers with its last result in between.</summary>
public sealed class ProbeThrottle(TimeSpan interval, TimeProvider time)
{
    private readonly SemaphoreSlim _probing = new(1, 1);
    private (DateTimeOffset At, HealthCheckResult Result)? _last;

    public async Task<HealthCheckResult> CheckAsync(Func<CancellationToken, Task<HealthCheckResult>> probe, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(probe);
        await _probing.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            if (_last is { } last && now - last.At < interval)
            {
                return last.Result;
            }

            var result = await probe(cancellationToken);
            _last = (now, result);
            return result;
        }
        finally
        {
            _probing.Release();
        }
    }
}
