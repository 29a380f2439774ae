using System.Net;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using TokenTally.Local.Tests.Infrastructure;
using TokenTally.Testing;

namespace TokenTally.Local.Tests;

/// <summary>The real server stops on a setting it cannot use and says which, in one line a user can act on: no stack trace.</summary>
public sealed class StartupTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    [Theory]
    [InlineData("--TokenTally:Local:Port=abc", "TokenTally:Local:Port")]
    [InlineData("--TokenTally:Local:Port=70000", "TokenTally:Local:Port")]
    [InlineData("--TokenTally:Local:DataPath= ", "TokenTally:Local:DataPath")]
    [InlineData("--TokenTally:Telemetry:OtlpProtocol=bogus", "TokenTally:Telemetry:OtlpProtocol")]
    [InlineData("--TokenTally:Telemetry:OtlpEndpoint=collector", "TokenTally:Telemetry:OtlpEndpoint")]
    [InlineData("--TokenTally:Ledger:RetentionDays=0", "TokenTally:Ledger:RetentionDays")]
    [InlineData("--TokenTally:Ledger:RetentionDays=thirty", "TokenTally:Ledger:RetentionDays")]
    [InlineData("--TokenTally:Pipeline:MaxParallelism=0", "TokenTally:Pipeline:MaxParallelism")]
    [InlineData("--TokenTally:Pipeline:FirstRetryInterval=soon", "TokenTally:Pipeline:FirstRetryInterval")]
    [InlineData("--TokenTally:Rollups:TopUsersPerHour=0", "TokenTally:Rollups:TopUsersPerHour")]
    [InlineData("--TokenTally:Admin:KeySha256=abc", "TokenTally:Admin:KeySha256")]
    public async Task AnInvalidSettingStopsStartUpWithOneLineNamingIt(string argument, string setting)
    {
        var exit = await ServerRun.UntilExitAsync(_folder.Path, $"--TokenTally:Local:DataPath={_folder.File("data")}", "--TokenTally:Local:Port=0", argument);

        AssertOneLineNaming(exit, setting);
        Assert.DoesNotContain("   at ", exit.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("fail:", exit.StandardOutput, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder.File("data"), "admin-key")), "A start that failed on its settings created an admin key.");
    }

    [Fact]
    public async Task APortInUseStopsStartUpWithOneLineNamingThePortSetting()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;

        var exit = await ServerRun.UntilExitAsync(_folder.Path, $"--TokenTally:Local:DataPath={_folder.File("data")}", $"--TokenTally:Local:Port={port}", "--TokenTally:Local:RunScheduler=false");

        // The host logs its failure to start on stdout before the error reaches Program; what the user reads last is one line.
        AssertOneLineNaming(exit, "TokenTally:Local:Port");
        Assert.Contains("address already in use", exit.StandardError, StringComparison.OrdinalIgnoreCase);
        Assert.False(File.Exists(Path.Combine(_folder.File("data"), "admin-key")), "A start that could not listen created an admin key.");
    }

    [Fact]
    public async Task ADataFolderFromABuildWithAnotherTableLayoutStopsStartUpWithOneLineSayingWhatToDo()
    {
        var data = _folder.File("data");
        Directory.CreateDirectory(data);
        var database = Path.Combine(data, "tokentally.db");
        await using (var connection = new SqliteConnection($"Data Source={database};Pooling=false"))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var create = connection.CreateCommand();
            create.CommandText = "CREATE TABLE documents (seq INTEGER PRIMARY KEY, container TEXT NOT NULL, pk TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL)";
            await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var before = await File.ReadAllBytesAsync(database, TestContext.Current.CancellationToken);
        var exit = await ServerRun.UntilExitAsync(_folder.Path, $"--TokenTally:Local:DataPath={data}", "--TokenTally:Local:Port=0", "--TokenTally:Local:RunScheduler=false");

        AssertOneLineNaming(exit, "TokenTally:Local:DataPath");
        Assert.Contains("earlier build", exit.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", exit.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllBytesAsync(database, TestContext.Current.CancellationToken));
    }

    private static void AssertOneLineNaming(ProcessExit exit, string setting)
    {
        Assert.True(exit.ExitCode == 1, exit.ToString());
        var line = Assert.Single(exit.ErrorLines);
        Assert.StartsWith("TokenTally did not start: ", line, StringComparison.Ordinal);
        Assert.Contains(setting, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", exit.StandardError, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();
}
