using TokenTally.Testing;

namespace TokenTally.Infrastructure.Tests;

/// <summary>
/// scripts/deploy.sh as a deployer runs it, with a recording stand-in for the Azure CLI on PATH (Azure cannot be reached
/// from here): what it asks of Azure, in order, and what it prints.
/// </summary>
public sealed class DeployScriptTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "tokentally-deploy-" + Guid.NewGuid().ToString("N")[..8]);

    public DeployScriptTests()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "bin"));
        Directory.CreateDirectory(Path.Combine(_folder, "artifacts"));
        File.WriteAllBytes(Path.Combine(_folder, "artifacts", "tokentally-functions.zip"), [0x50, 0x4b, 0x05, 0x06, .. new byte[18]]);
        var az = Path.Combine(_folder, "bin", "az");
        File.WriteAllText(az, $$$"""
            #!/usr/bin/env bash
            echo "$*" >> "{{{_folder}}}/az.log"
            case "$1 $2" in
              "deployment group") echo '{"AZURE_FUNCTION_APP_NAME":{"type":"String","value":"tt-func-abc"},"FUNCTION_APP_URL":{"type":"String","value":"https://tt-func-abc.azurewebsites.net"},"KEY_VAULT_URI":{"type":"String","value":"https://tt-kv-abc.vault.azure.net/"}}' ;;
              "account show") echo "00000000-0000-0000-0000-000000000000" ;;
            esac
            """);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(az, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private Task<ProcessExit> DeployAsync(params string[] arguments) =>
        ProcessRun.UntilExitAsync("bash", ["scripts/deploy.sh", .. arguments], RepositoryPaths.Root, TimeSpan.FromMinutes(1), new Dictionary<string, string>
        {
            ["PATH"] = $"{Path.Combine(_folder, "bin")}:{Environment.GetEnvironmentVariable("PATH")}",
            ["TOKENTALLY_ARTIFACTS"] = Path.Combine(_folder, "artifacts"),
        });

    private string[] AzCalls => File.Exists(Path.Combine(_folder, "az.log")) ? File.ReadAllLines(Path.Combine(_folder, "az.log")) : [];

    [Fact]
    public async Task ItProvisionsTheTemplateWithItsParametersThenDeploysTheZipAndPrintsTheOutputs()
    {
        var result = await DeployAsync("--resource-group", "rg-tt", "--location", "westeurope", "--env", "dev", "--skip-package");

        Assert.True(result.ExitCode == 0, result.ToString());
        var calls = AzCalls;
        Assert.StartsWith("account show", calls[0], StringComparison.Ordinal);
        Assert.StartsWith("group create --name rg-tt --location westeurope", calls[1], StringComparison.Ordinal);
        Assert.Contains("deployment group create --resource-group rg-tt", calls[2], StringComparison.Ordinal);
        Assert.Contains("--template-file infra-bicep/main.bicep --parameters infra-bicep/main.bicepparam", calls[2], StringComparison.Ordinal);
        Assert.Contains("environmentName=dev", calls[2], StringComparison.Ordinal);
        Assert.StartsWith("functionapp deployment source config-zip --resource-group rg-tt --name tt-func-abc --src ", calls[3], StringComparison.Ordinal);
        Assert.EndsWith("tokentally-functions.zip --output none", calls[3], StringComparison.Ordinal);
        Assert.Contains("FUNCTION_APP_URL: https://tt-func-abc.azurewebsites.net", result.StandardOutput, StringComparison.Ordinal);

        // Without an app registration there is no sign-in: the template leaves App Service authentication off.
        Assert.Contains("entraClientId= entraTenantClaim= entraDefaultTenant=", calls[2], StringComparison.Ordinal);
        Assert.DoesNotContain("Sign-in:", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithAnAppRegistrationItPassesTheSignInParametersAndSaysHowToPutTheClientSecretIntoTheVault()
    {
        const string ClientId = "11111111-2222-3333-4444-555555555555";
        var result = await DeployAsync("--resource-group", "rg-tt", "--location", "westeurope", "--skip-package", "--entra-client-id", ClientId, "--entra-default-tenant", "acme");

        Assert.True(result.ExitCode == 0, result.ToString());
        var deployment = Assert.Single(AzCalls, c => c.StartsWith("deployment group create", StringComparison.Ordinal));
        Assert.Contains($"entraClientId={ClientId} entraTenantClaim= entraDefaultTenant=acme", deployment, StringComparison.Ordinal);
        Assert.Contains($"az ad app credential reset --id {ClientId} --append", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("az keyvault secret set --vault-name tt-kv-abc --name entra-client-secret --file /dev/stdin", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("az functionapp restart --resource-group rg-tt --name tt-func-abc", result.StandardOutput, StringComparison.Ordinal);

        // The script only says how: creating a credential needs Microsoft Graph, which the deployer runs knowingly.
        Assert.DoesNotContain(AzCalls, c => c.StartsWith("ad ", StringComparison.Ordinal) || c.StartsWith("keyvault ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--entra-client-id", "tokentally", "a GUID")]
    [InlineData("--entra-tenant-claim", "extension_tenant", "exclude each other")]
    public async Task ABadSignInChoiceIsRefusedBeforeAnythingIsCreated(string option, string value, string message)
    {
        var result = await DeployAsync("--resource-group", "rg-tt", "--location", "westeurope", "--skip-package", "--entra-default-tenant", "acme", option, value);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain(AzCalls, c => c.StartsWith("group create", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TeardownDeletesTheResourceGroupAndNothingElse()
    {
        var result = await DeployAsync("--resource-group", "rg-tt", "--teardown", "--yes");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["account show --query id -o tsv", "group delete --name rg-tt --yes"], AzCalls);
    }

    [Fact]
    public async Task AnAdminKeyInsteadOfItsHashIsRefusedBeforeAnythingIsCreated()
    {
        var result = await DeployAsync("--resource-group", "rg-tt", "--location", "westeurope", "--admin-key-sha256", "tt_admin_notahash", "--skip-package");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("SHA-256", result.StandardError, StringComparison.Ordinal);
        Assert.DoesNotContain(AzCalls, c => c.StartsWith("group create", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithoutAResourceGroupItSaysSoAndShowsHowToCallIt()
    {
        var result = await DeployAsync("--location", "westeurope");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--resource-group is required", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("--teardown", result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void AzdProvisionsTheBicepFolderAndDeploysTheFunctionAppAsADotnetFunction()
    {
        var yaml = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "azure.yaml"));

        Assert.Contains("  path: infra-bicep\n", yaml, StringComparison.Ordinal);
        Assert.Contains("    project: functions/TokenTally.Functions\n    language: dotnet\n    host: function\n", yaml, StringComparison.Ordinal);
        Assert.Contains("run: scripts/package.sh", yaml, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(RepositoryPaths.Root, "infra-bicep", "main.bicep")));
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
