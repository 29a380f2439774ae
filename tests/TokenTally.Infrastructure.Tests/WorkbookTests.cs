using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace TokenTally.Infrastructure.Tests;

/// <summary>
/// The workbook's KQL names only columns that exist: those of the custom table (the export record) and of the
/// workspace-based Application Insights tables it reads. Every identifier of a query is a KQL word, a table, a column, or
/// a name the query itself defines.
/// </summary>
public sealed partial class WorkbookTests
{
    private static readonly HashSet<string> Kql = new(StringComparer.Ordinal)
    {
        "let", "where", "summarize", "by", "project", "extend", "order", "asc", "desc", "top", "join", "kind", "inner", "on", "and", "or", "not",
        "in", "distinct", "make", "series", "default", "step", "mv", "expand", "to", "typeof", "datetime", "real", "int", "long", "string", "bool",
        "sum", "count", "countif", "max", "min", "avg", "percentile", "arg_max", "bin", "isempty", "isnotempty", "tostring", "startswith",
        "series_decompose_anomalies", "render", "true", "false",
    };

    private static readonly Dictionary<string, string[]> AppInsightsTables = new(StringComparer.Ordinal)
    {
        ["AppMetrics"] = ["TimeGenerated", "Name", "Sum", "ItemCount", "Min", "Max", "Properties", "AppRoleName"],
        ["AppTraces"] = ["TimeGenerated", "Message", "SeverityLevel", "Properties", "AppRoleName"],
        ["AppRequests"] = ["TimeGenerated", "Name", "Success", "DurationMs", "ResultCode", "AppRoleName"],
    };

    private static IReadOnlyList<(string Name, string Query)> Queries()
    {
        var workbook = JsonNode.Parse(File.ReadAllText(Path.Combine(CompiledTemplates.Folder, "workbook.json")))!;
        var queries = new List<(string, string)>();
        foreach (var item in workbook["items"]!.AsArray())
        {
            if (item!["content"]?["query"] is JsonNode query)
            {
                queries.Add(((string)item["name"]!, (string)query!));
            }

            foreach (var parameter in item["content"]?["parameters"]?.AsArray() ?? [])
            {
                if (parameter!["query"] is JsonNode parameterQuery)
                {
                    queries.Add(((string)parameter["name"]!, (string)parameterQuery!));
                }
            }
        }

        return queries;
    }

    [Fact]
    public void TheWorkbookHasTheTilesAndParametersTheIssueAsksFor()
    {
        var names = Queries().Select(q => q.Name).ToList();
        string[] tiles = ["spend-over-time", "spend-by-model", "spend-by-service", "spend-by-department", "spend-by-user", "budget-alerts", "anomalies", "unpriced", "pipeline-health", "ingestion-rate", "ingestion-failures"];

        Assert.All(tiles, tile => Assert.Contains(tile, names));
        Assert.Contains("Tenant", names);
        Assert.Contains("Project", names);
        var text = File.ReadAllText(Path.Combine(CompiledTemplates.Folder, "workbook.json"));
        Assert.Contains("\"name\": \"TimeRange\"", text, StringComparison.Ordinal);
        Assert.Contains("Notebook/1.0", text, StringComparison.Ordinal);
    }

    [Fact]
    public void EverySpendQueryKeepsOnlyTheLatestRunOfEachTenantHourAndOneCopyOfEachRow()
    {
        foreach (var (name, query) in Queries().Where(q => q.Name.StartsWith("spend", StringComparison.Ordinal) || q.Name is "anomalies" or "unpriced"))
        {
            Assert.True(query.Contains("arg_max(TimeGenerated, RunId) by Tenant, Hour", StringComparison.Ordinal), name);
            Assert.True(query.Contains("arg_max(TimeGenerated, *) by Tenant, Hour, RowKey", StringComparison.Ordinal), name);
            Assert.True(query.Contains("Cube ==", StringComparison.Ordinal), $"{name} sums rows of several cubes");
        }
    }

    [Fact]
    public void EveryQueryNamesOnlyColumnsOfTheTablesItReads()
    {
        var customColumns = ExportTableTests.RecordColumns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(Queries());
        foreach (var (name, query) in Queries())
        {
            var text = Parameter().Replace(Strings().Replace(Comment().Replace(query, string.Empty), "''"), " ");
            var tables = Identifier().Matches(text).Select(m => m.Value).Where(w => w == "TokenTallyRollups_CL" || AppInsightsTables.ContainsKey(w)).ToHashSet();
            Assert.True(tables.Count > 0, $"{name} reads no known table");
            var columns = tables.SelectMany(t => t == "TokenTallyRollups_CL" ? (IEnumerable<string>)customColumns : AppInsightsTables[t]).ToHashSet(StringComparer.Ordinal);
            var defined = Defined().Matches(text)
                .SelectMany(m => (m.Groups[1].Value + "," + m.Groups[2].Value + "," + m.Groups[3].Value).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                .ToHashSet(StringComparer.Ordinal);

            var unknown = Identifier().Matches(text).Where(m => m.Index == 0 || text[m.Index - 1] != '.').Select(m => m.Value)
                .Where(w => !Kql.Contains(w) && !tables.Contains(w) && !columns.Contains(w) && !defined.Contains(w))
                .Distinct().ToList();
            Assert.True(unknown.Count == 0, $"{name} names what its tables do not have: {string.Join(", ", unknown)}");
        }
    }

    [GeneratedRegex(@"//[^\n]*")]
    private static partial Regex Comment();

    [GeneratedRegex(@"'[^']*'|""[^""]*""")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\{\w+\}")]
    private static partial Regex Parameter();

    [GeneratedRegex(@"\b[A-Za-z_][A-Za-z0-9_]*\b")]
    private static partial Regex Identifier();

    /// <summary>Names a query defines: let x =, x = expr, (a, b, c) = expr.</summary>
    [GeneratedRegex(@"\blet\s+(\w+)|\(\s*(\w+(?:\s*,\s*\w+)*)\s*\)\s*=(?!=)|\b(\w+)\s*=(?!=)")]
    private static partial Regex Defined();
}
