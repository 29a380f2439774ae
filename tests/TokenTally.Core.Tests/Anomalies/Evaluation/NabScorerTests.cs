using TokenTally.Core.Anomalies.Evaluation;

namespace TokenTally.Core.Tests.Anomalies.Evaluation;

/// <summary>The scoring rules on small files worked out by hand (benchmark README §3).</summary>
public sealed class NabScorerTests
{
    // 100 rows: the first 15 are probationary; one window on rows 40..49 (width 10).
    private static readonly NabWindow Window = new(40, 49);

    [Fact]
    public void TheScaledSigmoidHasNabsValues()
    {
        Assert.Equal(0.986614, NabScorer.ScaledSigmoid(-1.0), 6);
        Assert.Equal(0.848284, NabScorer.ScaledSigmoid(-0.5), 6);
        Assert.Equal(0.0, NabScorer.ScaledSigmoid(0.0), 12);
        Assert.Equal(-1.0, NabScorer.ScaledSigmoid(3.5));
    }

    [Fact]
    public void ADetectionOnAWindowsFirstRowEarnsTheFullTruePositiveWeightAndLaterOnesInItAddNothing()
    {
        var file = File(40, 41, 45);

        var result = NabScorer.ScoreAt([file], 0.5, NabProfile.Standard);

        Assert.Equal(1.0, result.RawScore, 12);
    }

    [Fact]
    public void ADetectionInTheMiddleOfAWindowEarnsTheSigmoidOfItsPosition()
    {
        // Row 45: y = −(49 − 45 + 1)/10 = −0.5.
        var result = NabScorer.ScoreAt([File(45)], 0.5, NabProfile.Standard);

        Assert.Equal(0.848284 / 0.986614, result.RawScore, 5);
    }

    [Fact]
    public void AMissedWindowCostsTheFalseNegativeWeightAndProbationaryDetectionsCountForNothing()
    {
        var result = NabScorer.ScoreAt([File(3, 10)], 0.5, NabProfile.RewardLowFalseNegatives);

        Assert.Equal(-2.0, result.RawScore, 12);
    }

    [Fact]
    public void AFalsePositiveBeforeAnyWindowCostsTheFullWeightAndOneRightAfterAWindowAlmostNothing()
    {
        // Row 20 precedes every window: −0.11. Row 50 follows the window by one row: 0.11·σ(1/9).
        var result = NabScorer.ScoreAt([File(20, 50)], 0.5, NabProfile.Standard);

        Assert.Equal(-0.11 - 1.0 + (0.11 * NabScorer.ScaledSigmoid(1.0 / 9.0)), result.RawScore, 12);
    }

    [Fact]
    public void TheOptimisedThresholdIsTheHighestOfTheBestAndNoDetectionWinsWhenEverythingElseCostsMore()
    {
        var scores = new double[100];
        scores[40] = 0.9; // the window's first row
        scores[70] = 0.8; // a costly false positive far after the window
        scores[20] = 0.95; // a false positive before the window, scored highest
        var file = new NabFile("f.csv", scores, [Window]);

        var result = NabScorer.Optimise([file], NabProfile.Standard);

        Assert.Equal(0.9, result.Threshold);
        Assert.Equal(1.0 - 0.11, result.RawScore, 12);
        Assert.Equal(double.PositiveInfinity, NabScorer.Optimise([new NabFile("g.csv", scores, [])], NabProfile.Standard).Threshold);
    }

    [Fact]
    public void NormalisationPutsTheNullDetectorAtZeroAndThePerfectOneAtHundred()
    {
        Assert.Equal(0.0, NabScorer.Normalise(-49, 49, NabProfile.Standard), 12);
        Assert.Equal(100.0, NabScorer.Normalise(49, 49, NabProfile.RewardLowFalseNegatives), 12);
        Assert.Equal(50.0, NabScorer.Normalise(-24.5, 49, NabProfile.RewardLowFalseNegatives), 12);
    }

    private static NabFile File(params int[] detected)
    {
        var scores = new double[100];
        foreach (var i in detected)
        {
            scores[i] = 1.0;
        }

        return new NabFile("f.csv", scores, [Window]);
    }
}
