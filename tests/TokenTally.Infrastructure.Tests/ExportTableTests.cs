using System.Text.Json.Nodes;
using TokenTally.Application.Export;

namespace TokenTally.Infrastructure.Tests;

/// <summary>The custom table and the rule's stream against the record the export sends.</summary>
public sealed class ExportTableTests(CompiledTemplates compiled)
{
    /// <summary>The record's properties as Log Analytics columns, in order.</summary>
    public static IReadOnlyList<(string Name, string Type)> RecordColumns { get; } = typeof(RollupExportRecord).GetConstructors().Single().GetParameters()
        .Select(p => (p.Name!, (Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType) switch
        {
            var t when t == typeof(DateTimeOffset) => "datetime",
            var t when t == typeof(string) => "string",
            var t when t == typeof(long) => "long",
            var t when t == typeof(int) => "int",
            var t when t == typeof(decimal) || t == typeof(double) => "real",
            var t when t == typeof(bool) => "boolean",
            var t => throw new InvalidOperationException($"No Log Analytics type for {t}."),
        }))
        .ToList();

    private JsonObject Monitoring => ArmTemplate.NestedTemplate(compiled.Main, "monitoring");

    private JsonObject Resource(string type) => ArmTemplate.AllResources(Monitoring).Single(r => (string?)r.Resource["type"] == type).Resource;

    private static IEnumerable<(string, string)> Columns(JsonObject template, JsonNode? columns) =>
        ArmTemplate.Resolve(template, columns)!.AsArray().Select(c => ((string)c!["name"]!, (string)c["type"]!));

    [Fact]
    public void TheCustomTablesColumnsAreTheExportRecordsProperties()
    {
        var table = Resource("Microsoft.OperationalInsights/workspaces/tables");

        Assert.Equal(RecordColumns, Columns(Monitoring, table["properties"]!["schema"]!["columns"]));
    }

    [Fact]
    public void TheRulesStreamDeclaresTheSameColumnsAndFlowsIntoTheTable()
    {
        var rule = Resource("Microsoft.Insights/dataCollectionRules");
        var stream = (string)ArmTemplate.Resolve(compiled.Main, compiled.Main["variables"]!["rollupStreamName"])!;
        var declarations = rule["properties"]!["streamDeclarations"]!.AsObject();

        Assert.Equal(RecordColumns, Columns(Monitoring, Assert.Single(declarations).Value!["columns"]));
        var flow = Assert.Single(rule["properties"]!["dataFlows"]!.AsArray())!;
        Assert.Equal("source", (string?)flow["transformKql"]);
        Assert.Equal("Custom-TokenTallyRollups", stream);
        Assert.Equal("TokenTallyRollups_CL", (string?)compiled.Main["variables"]!["rollupTableName"]);
    }

    [Fact]
    public void NoColumnHasANameLogAnalyticsReserves()
    {
        string[] reserved = ["TenantId", "Type", "id", "_ResourceId", "_SubscriptionId", "UniqueId", "Title"];

        Assert.Empty(RecordColumns.Select(c => c.Name).Intersect(reserved, StringComparer.OrdinalIgnoreCase));
        Assert.Contains(("TimeGenerated", "datetime"), RecordColumns);
    }
}
