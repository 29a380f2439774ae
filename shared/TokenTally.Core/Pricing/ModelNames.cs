using System.Text.RegularExpressions;

namespace TokenTally.Core.Pricing;

/// <summary>The names a reported model string is looked up under, most specific first (see <see cref="PriceCatalog.Resolve"/>).</summary>
internal static partial class ModelNames
{
    private const int MaxSuffixesRemoved = 4;

    public static IEnumerable<string> Candidates(string reported)
    {
        var name = reported.Trim().ToLowerInvariant();
        if (name.Length == 0)
        {
            yield break;
        }

        yield return name;

        var bare = name[(name.LastIndexOf('/') + 1)..];
        if (bare.Length == 0)
        {
            yield break;
        }

        if (bare != name)
        {
            yield return bare;
        }

        for (var i = 0; i < MaxSuffixesRemoved && TryRemoveSuffix(bare, out var shorter); i++)
        {
            bare = shorter;
            yield return bare;
        }
    }

    private static bool TryRemoveSuffix(string name, out string shorter)
    {
        var match = SnapshotSuffix().Match(name);
        shorter = match.Success ? name[..match.Index] : name;
        return match.Success && shorter.Length > 0;
    }

    // One snapshot suffix at the end of a name: a Vertex AI version (@20240620, @001, @latest), an ISO date
    // (-2024-08-06), a compact date (-20241022), -latest, or Gemini's three-digit revision (-001).
    [GeneratedRegex(@"(@[a-z0-9]+|-\d{4}-\d{2}-\d{2}|-\d{8}|-latest|-\d{3})$", RegexOptions.CultureInvariant)]
    private static partial Regex SnapshotSuffix();
}
