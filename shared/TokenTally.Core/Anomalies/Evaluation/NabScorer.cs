namespace TokenTally.Core.Anomalies.Evaluation;

/// <summary>
/// Scores anomaly detectors by the rules of the Numenta Anomaly Benchmark (NAB, Lavin and Ahmad 2015): scaled-sigmoid
/// row weights around labelled windows, one threshold per detector and profile chosen to maximise the corpus score,
/// and normalisation between the null detector (0) and the perfect one (100).
/// </summary>
/// <remarks>
/// Written from the rules as described in the benchmark folder's README (§3), not from NAB's code. A row counts as a
/// detection when its score is at least the threshold, and only rows after the probationary period
/// (<see cref="NabFile.ProbationaryRows"/>) count. A window earns the value of its earliest detection,
/// <c>A_TP·σ(y)/σ(−1)</c> with <c>y = −(last − i + 1)/width</c>, or costs <c>A_FN</c> when it has none. A detection
/// outside every window costs <c>A_FP</c>, or <c>−A_FP·σ((i − last)/(width − 1))</c> after a window, less the closer
/// it follows it.
/// </remarks>
public static class NabScorer
{
    /// <summary>NAB's scaled sigmoid: <c>2/(1 + e^(5y)) − 1</c> for <c>y ≤ 3</c>, and −1 beyond.</summary>
    /// <param name="y">The row's position relative to a window's end, in window widths.</param>
    public static double ScaledSigmoid(double y) => y > 3.0 ? -1.0 : (2.0 / (1.0 + Math.Exp(5.0 * y))) - 1.0;

    /// <summary>The raw score of every file and of the corpus (their sum) at one threshold.</summary>
    /// <param name="files">The scored files.</param>
    /// <param name="threshold">Rows whose score is at least this are detections.</param>
    /// <param name="profile">The application profile whose weights apply.</param>
    public static NabCorpusScore ScoreAt(IReadOnlyList<NabFile> files, double threshold, NabProfile profile)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(profile);
        var perFile = new double[files.Count];
        for (var f = 0; f < files.Count; f++)
        {
            var rows = RowValues.Of(files[f], profile);
            var best = new double[files[f].Windows.Count];
            Array.Fill(best, double.NaN);
            var score = 0.0;
            for (var i = rows.FirstScorable; i < rows.Window.Length; i++)
            {
                if (!(files[f].Scores[i] >= threshold))
                {
                    continue;
                }

                var w = rows.Window[i];
                if (w < 0)
                {
                    score += rows.Value[i];
                }
                else if (double.IsNaN(best[w]) || rows.Value[i] > best[w])
                {
                    best[w] = rows.Value[i];
                }
            }

            foreach (var value in best)
            {
                score += double.IsNaN(value) ? -profile.FalseNegativeWeight : value;
            }

            perFile[f] = score;
        }

        return new NabCorpusScore(threshold, perFile.Sum(), perFile);
    }

    /// <summary>
    /// The threshold NAB would choose: every distinct score of a scorable row is tried, and so is "above every score"
    /// (no detections, returned as <see cref="double.PositiveInfinity"/>); the one with the highest corpus raw score
    /// wins, the higher threshold on a tie. Runs in O(n log n) over the corpus's rows.
    /// </summary>
    /// <param name="files">The scored files.</param>
    /// <param name="profile">The application profile whose weights apply.</param>
    public static NabCorpusScore Optimise(IReadOnlyList<NabFile> files, NabProfile profile)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(profile);
        var all = files.Select(file => RowValues.Of(file, profile)).ToArray();
        var candidates = new List<(double Score, int File, int Row)>();
        for (var f = 0; f < files.Count; f++)
        {
            for (var i = all[f].FirstScorable; i < files[f].Scores.Count; i++)
            {
                candidates.Add((files[f].Scores[i], f, i));
            }
        }

        candidates.Sort((x, y) => y.Score.CompareTo(x.Score));
        var best = files.Select(file => Enumerable.Repeat(double.NaN, file.Windows.Count).ToArray()).ToArray();

        // Lowering the threshold past one score value adds its rows as detections: a false positive adds its (negative)
        // value, a window's first detection replaces its miss, a better one replaces the earlier best.
        var total = -profile.FalseNegativeWeight * files.Sum(file => file.Windows.Count);
        var bestTotal = total;
        var bestThreshold = double.PositiveInfinity;
        for (var k = 0; k < candidates.Count;)
        {
            var threshold = candidates[k].Score;
            for (; k < candidates.Count && candidates[k].Score == threshold; k++)
            {
                var (_, f, i) = candidates[k];
                var w = all[f].Window[i];
                var value = all[f].Value[i];
                if (w < 0)
                {
                    total += value;
                }
                else if (double.IsNaN(best[f][w]))
                {
                    total += value + profile.FalseNegativeWeight;
                    best[f][w] = value;
                }
                else if (value > best[f][w])
                {
                    total += value - best[f][w];
                    best[f][w] = value;
                }
            }

            if (total > bestTotal)
            {
                bestTotal = total;
                bestThreshold = threshold;
            }
        }

        return ScoreAt(files, bestThreshold, profile);
    }

    /// <summary>
    /// NAB's normalised score, <c>100·(S − S_null)/(S_perfect − S_null)</c>, with <c>S_perfect = A_TP·windows</c> and
    /// <c>S_null = −A_FN·windows</c> (the null detector detects nothing).
    /// </summary>
    /// <param name="rawScore">The corpus raw score.</param>
    /// <param name="windowCount">The number of labelled windows in the corpus.</param>
    /// <param name="profile">The application profile the raw score was computed with.</param>
    public static double Normalise(double rawScore, int windowCount, NabProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var perfect = profile.TruePositiveWeight * windowCount;
        var none = -profile.FalseNegativeWeight * windowCount;
        return 100.0 * (rawScore - none) / (perfect - none);
    }

    /// <summary>What a detection on each row of a file would be worth, and which window (or −1) the row lies in.</summary>
    private sealed record RowValues(int FirstScorable, double[] Value, int[] Window)
    {
        private static readonly double SigmoidAtWindowStart = ScaledSigmoid(-1.0);

        public static RowValues Of(NabFile file, NabProfile profile)
        {
            var n = file.Scores.Count;
            var value = new double[n];
            var window = new int[n];
            Array.Fill(window, -1);
            var next = 0;
            NabWindow? preceding = null;
            for (var i = 0; i < n; i++)
            {
                while (next < file.Windows.Count && file.Windows[next].Last < i)
                {
                    preceding = file.Windows[next++];
                }

                if (next < file.Windows.Count && file.Windows[next].First <= i)
                {
                    var w = file.Windows[next];
                    window[i] = next;
                    value[i] = profile.TruePositiveWeight * ScaledSigmoid(-(w.Last - i + 1.0) / w.Width) / SigmoidAtWindowStart;
                }
                else if (preceding is { } p)
                {
                    value[i] = profile.FalsePositiveWeight * ScaledSigmoid((i - p.Last) / (p.Width - 1.0));
                }
                else
                {
                    value[i] = -profile.FalsePositiveWeight;
                }
            }

            return new RowValues(file.ProbationaryRows, value, window);
        }
    }
}
