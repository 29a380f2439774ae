using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using TokenTally.Testing;

namespace TokenTally.Local.Tests;

/// <summary>
/// The README's "Try it" section, as it is written, run with bash against a fresh local server on the port and data
/// folder the README assumes: every request it makes must answer 2xx with something in it.
/// </summary>
public sealed partial class ReadmeWalkthroughTests : IDisposable
{
    private readonly string _workingDirectory = Path.Combine(Path.GetTempPath(), "tokentally-walkthrough-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task EveryCommandOfTheWalkthroughAnswersSomethingAndNoError()
    {
        var script = WalkthroughScript();
        Assert.Contains("curl", script, StringComparison.Ordinal);
        EnsurePortIsFree(7071);
        Directory.CreateDirectory(_workingDirectory);
        await using var server = await LocalServerProcess.StartAsync(
            RepositoryPaths.LocalServerDll("Release"), Path.Combine(_workingDirectory, ".data"), [], logPath: null, TestContext.Current.CancellationToken, port: 7071, workingDirectory: _workingDirectory);
        var log = Directory.CreateDirectory(Path.Combine(_workingDirectory, "responses")).FullName;

        // Each curl of the script records its status, method and URL, and a copy of its body; the script itself is unchanged.
        var shim = $$"""
            curl() { local body; body=$(mktemp -p '{{log}}'); command curl -w '%{stderr}%{http_code} %{url_effective} '"$body"'\n' "$@" | tee "$body"; }
            """;
        var bash = await ProcessRun.UntilExitAsync("bash", ["-c", shim + "\n" + script], _workingDirectory, TimeSpan.FromMinutes(3));
        var requests = bash.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' ')).Where(parts => parts.Length == 3 && parts[0].Length == 3).ToList();

        Assert.True(bash.ExitCode == 0, bash.ToString());
        Assert.True(requests.Count >= 11, $"Only {requests.Count} requests were made:\n{bash.StandardError}");
        foreach (var (status, url, bodyFile) in requests.Select(r => (r[0], r[1], r[2])))
        {
            var body = (await File.ReadAllTextAsync(bodyFile, TestContext.Current.CancellationToken)).Trim();
            Assert.True(status.StartsWith('2'), $"{url} answered {status}: {body}");
            Assert.False(body.Length == 0 || body == "[]" || body.Contains("\"series\":[]", StringComparison.Ordinal), $"{url} answered nothing: '{body}'");
            if (url.Contains("groupBy=user", StringComparison.Ordinal))
            {
                Assert.True(body.Split('\n').Length >= 2, $"{url} answered a CSV header only: {body}");
            }
        }
    }

    /// <summary>The bash blocks between the README's walkthrough markers, in order.</summary>
    private static string WalkthroughScript()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));
        var start = readme.IndexOf("<!-- walkthrough:start -->", StringComparison.Ordinal);
        var end = readme.IndexOf("<!-- walkthrough:end -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "README.md has no walkthrough markers.");
        return string.Join("\n", BashBlock().Matches(readme[start..end]).Select(m => m.Groups[1].Value));
    }

    private static void EnsurePortIsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
        }
        catch (SocketException e)
        {
            Assert.Fail($"The walkthrough uses port {port}, as the README does, and something else is listening there: {e.Message}");
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_workingDirectory))
        {
            Directory.Delete(_workingDirectory, recursive: true);
        }
    }

    [GeneratedRegex(@"```bash\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex BashBlock();
}
