using System.Text.RegularExpressions;
using TokenTally.Functions.Hosting;
using TokenTally.Functions.Ingestion;
using TokenTally.Storage.Blobs;
using TokenTally.Storage.Cosmos;
using TokenTally.Storage.Documents;
using TokenTally.Storage.Tables;

namespace TokenTally.Infrastructure.Tests;

/// <summary>The containers, tables, hub and roles of the compiled template against the code's names and needs.</summary>
public sealed partial class ResourcesTests(CompiledTemplates compiled)
{
    private static readonly Dictionary<string, string> NeededRoles = new(StringComparer.Ordinal)
    {
        ["b7e6dc6d-f1e8-4753-8033-0f276bb0955b"] = "Storage Blob Data Owner (host storage)",
        ["974c5e8b-45b9-4653-ba55-5f855dd0fb88"] = "Storage Queue Data Contributor (host storage: Durable queues)",
        ["0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"] = "Storage Table Data Contributor (Durable tables, the ledger)",
        ["ba92f5b4-2d11-453d-a403-e96b0029c9fe"] = "Storage Blob Data Contributor (archive, dead letters)",
        ["a638d3c7-ab3a-418d-83e6-5f17a39d4fde"] = "Azure Event Hubs Data Receiver",
        ["3913510d-42f4-4e42-8a64-420c390055eb"] = "Monitoring Metrics Publisher (the export's rule)",
        ["b86a8fe4-44ce-4948-aee5-eccb2c155cd7"] = "Key Vault Secrets Officer (channel secrets are written and deleted)",
    };

    private static readonly string[] BroadRoles =
    [
        "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", // Owner
        "b24988ac-6180-42a0-ab88-20f7382dd24c", // Contributor
        "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", // User Access Administrator
        "17d1049b-9a84-46fb-8f53-869881c3d3ab", // Storage Account Contributor
        "00482a5a-887f-4fb3-b363-3b7fe8e74483", // Key Vault Administrator
    ];

    [Fact]
    public void EveryTableTheCodeNamesIsCreated()
    {
        var tables = ArmTemplate.ModuleParameter(compiled.Main, "ledger-storage", "tableNames")!.AsArray().Select(t => (string)t!).ToList();

        var expected = Enum.GetValues<DocumentContainer>().Select(DocumentContainerNames.Of).Append(TableDocumentStore.ExpiryTable);
        Assert.Equal(expected.Order(StringComparer.Ordinal), tables.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EveryBlobContainerTheCodeNamesIsCreated()
    {
        var containers = ArmTemplate.ModuleParameter(compiled.Main, "ledger-storage", "containerNames")!.AsArray().Select(t => (string)t!);

        Assert.Equal(Enum.GetValues<BlobContainer>().Select(BlobContainerNames.Of).Order(StringComparer.Ordinal), containers.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void CosmosContainersArePartitionedAsTheStoreExpectsWithTtlOnAndNoDefaultExpiry()
    {
        var containers = ArmTemplate.ModuleParameter(compiled.Main, "cosmos", "containers")!.AsArray().Select(c => c!.AsObject()).ToList();

        Assert.Equal(Enum.GetValues<DocumentContainer>().Select(DocumentContainerNames.Of).Order(StringComparer.Ordinal), containers.Select(c => (string)c["name"]!).Order(StringComparer.Ordinal));
        Assert.All(containers, c => Assert.Equal(CosmosDocumentStore.PartitionKeyPath, (string?)c["partitionKeyPath"]));

        // -1: TTL on with no default expiry, as CosmosDocumentStore.EnsureCreatedAsync creates them; items carry their own ttl.
        Assert.All(containers, c => Assert.Equal(-1, (int)c["defaultTtl"]!));
        Assert.Equal(new CosmosOptions().Database, (string?)ArmTemplate.ModuleParameter(compiled.Main, "cosmos", "databaseName"));
    }

    [Fact]
    public void CosmosAndStorageAcceptIdentityOnly()
    {
        var resources = ArmTemplate.AllResources(compiled.Main).Select(r => r.Resource).ToList();

        Assert.All(resources.Where(r => (string?)r["type"] == "Microsoft.Storage/storageAccounts"), r => Assert.False((bool)r["properties"]!["allowSharedKeyAccess"]!));
        Assert.True((bool)resources.Single(r => (string?)r["type"] == "Microsoft.DocumentDB/databaseAccounts")["properties"]!["disableLocalAuth"]!);
        Assert.True((bool)resources.Single(r => (string?)r["type"] == "Microsoft.EventHub/namespaces")["properties"]!["disableLocalAuth"]!);
        Assert.True((bool)resources.Single(r => (string?)r["type"] == "Microsoft.KeyVault/vaults")["properties"]!["enableRbacAuthorization"]!);
    }

    [Fact]
    public void TheHubIsReadThroughTheConsumerGroupTheFunctionUses() =>
        Assert.Equal(IngestEventsFunction.ConsumerGroup, (string?)ArmTemplate.ModuleParameter(compiled.Main, "event-hubs", "consumerGroupName"));

    [Fact]
    public void TheFunctionAppRunsTheIsolatedWorkerOnTheAppsDotnetVersionOnFlexConsumption()
    {
        var resources = ArmTemplate.AllResources(compiled.Main).Select(r => r.Resource).ToList();
        var plan = resources.Single(r => (string?)r["type"] == "Microsoft.Web/serverfarms");
        var site = resources.Single(r => (string?)r["type"] == "Microsoft.Web/sites");

        Assert.Equal("FC1", (string?)plan["sku"]!["name"]);
        Assert.Equal("dotnet-isolated", (string?)site["properties"]!["functionAppConfig"]!["runtime"]!["name"]);
        var targetFramework = typeof(AzureStores).Assembly.GetCustomAttributes(typeof(System.Runtime.Versioning.TargetFrameworkAttribute), false).Cast<System.Runtime.Versioning.TargetFrameworkAttribute>().Single().FrameworkName;
        Assert.Equal(targetFramework, $".NETCoreApp,Version=v{ArmTemplate.ModuleParameter(compiled.Main, "function-app", "dotnetVersion")}");
        Assert.Equal("UserAssigned", (string?)site["identity"]!["type"]);
    }

    [Fact]
    public void TheIdentityHasEveryRoleTheCodeNeedsAndNoBroaderOne()
    {
        var assigned = new List<string>();
        foreach (var (template, resource) in ArmTemplate.AllResources(compiled.Main).Where(r => (string?)r.Resource["type"] == "Microsoft.Authorization/roleAssignments"))
        {
            var definition = (string)resource["properties"]!["roleDefinitionId"]!;
            var ids = definition.Contains("variables('roles')", StringComparison.Ordinal)
                ? template["variables"]!["roles"]!.AsObject().Select(r => (string)r.Value!)
                : Guid().Matches(definition).Select(m => m.Value);
            assigned.AddRange(ids);
            Assert.Equal("ServicePrincipal", (string?)resource["properties"]!["principalType"]);
            Assert.Contains("userAssignedIdentities", resource["properties"]!["principalId"]!.ToJsonString(), StringComparison.Ordinal);
        }

        Assert.Equal(NeededRoles.Keys.Order(StringComparer.Ordinal), assigned.Distinct().Order(StringComparer.Ordinal));
        Assert.Empty(assigned.Intersect(BroadRoles));
    }

    [Fact]
    public void TheIdentityReadsAndWritesCosmosItemsThroughTheBuiltInDataContributorOnTheDatabaseOnly()
    {
        var assignment = ArmTemplate.AllResources(compiled.Main).Select(r => r.Resource).Single(r => (string?)r["type"] == "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments");

        Assert.EndsWith("/sqlRoleDefinitions/00000000-0000-0000-0000-000000000002', resourceId('Microsoft.DocumentDB/databaseAccounts', parameters('name')))]", (string)assignment["properties"]!["roleDefinitionId"]!, StringComparison.Ordinal);
        Assert.Contains("sqlDatabases", (string)assignment["properties"]!["scope"]!, StringComparison.Ordinal);
    }

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex Guid();
}
