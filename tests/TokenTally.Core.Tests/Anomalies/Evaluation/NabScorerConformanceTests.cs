using TokenTally.Core.Anomalies.Evaluation;

namespace TokenTally.Core.Tests.Anomalies.Evaluation;

/// <summary>
/// The scorer against NAB's own published output on the shared 29-file subset (49 windows): the Numenta detector's
/// per-row scores, scored at NAB's stored thresholds, give NAB's published per-file scores, and re-optimised on the
/// subset they give the subset's derived reference scores (benchmark README §3.7 and §5.2).
/// </summary>
public sealed class NabScorerConformanceTests
{
    public static TheoryData<string, double, double> PublishedTotals => new()
    {
        { "standard", 15.68937, 66.01 },
        { "reward_low_FP_rate", 8.755675, 58.93 },
        { "reward_low_FN_rate", 5.68937, 70.54 },
    };

    [Theory]
    [MemberData(nameof(PublishedTotals))]
    public void NumentaAtItsPublishedThresholdReproducesEveryPublishedFileScore(string profileName, double rawTotal, double nabScore)
    {
        var profile = NabProfile.All.Single(p => p.Name == profileName);
        var published = NabReferenceData.PublishedFileScores("numenta", profileName);
        var files = NabReferenceData.NumentaFiles();
        var threshold = published.Values.Select(p => p.Threshold).Distinct().Single();

        var result = NabScorer.ScoreAt(files, threshold, profile);

        Assert.Equal(29, files.Count);
        Assert.Equal(49, NabReferenceData.WindowCount);
        for (var f = 0; f < files.Count; f++)
        {
            Assert.True(Math.Abs(published[files[f].Name].Score - result.FileScores[f]) < 1e-9,
                $"{files[f].Name}: published {published[files[f].Name].Score}, scored {result.FileScores[f]}");
        }

        Assert.Equal(rawTotal, result.RawScore, 1e-5);
        Assert.Equal(nabScore, NabScorer.Normalise(result.RawScore, NabReferenceData.WindowCount, profile), 0.005);
    }

    [Theory]
    [InlineData("standard")]
    [InlineData("reward_low_FP_rate")]
    [InlineData("reward_low_FN_rate")]
    public void NumentaReoptimisedOnTheSubsetReproducesTheSubsetReferenceScore(string profileName)
    {
        var profile = NabProfile.All.Single(p => p.Name == profileName);
        var reference = NabReferenceData.SubsetOptimised("numenta", profileName);

        var result = NabScorer.Optimise(NabReferenceData.NumentaFiles(), profile);

        Assert.Equal(reference.Threshold, result.Threshold, 1e-6);
        Assert.Equal(reference.Raw, result.RawScore, 1e-4);
        Assert.Equal(reference.Nab, NabScorer.Normalise(result.RawScore, NabReferenceData.WindowCount, profile), 1e-4);
    }
}
