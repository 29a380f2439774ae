namespace TokenTally.Core.Anomalies;

/// <summary>
/// Learns how heavy-tailed a series' standardised errors are, from a histogram of their magnitudes on a log scale, and
/// rescales them so their 99th percentile sits where a normal distribution's does (2.576): on a bursty series, whose
/// errors are often many "standard deviations" out, a point must be unusual for that series to count.
/// </summary>
/// <remarks>O(1) to add a value and O(bins) to read the percentile; 96 bins of a quarter octave from 2⁻⁴ to 2²⁰.</remarks>
internal sealed class TailCalibration
{
    private const double NormalPercentile99 = 2.5758;
    private const int Bins = 96;
    private const double MinLog2 = -4.0;
    private const double BinsPerOctave = 4.0;
    private const int MinimumCount = 100;

    private readonly double[] counts = new double[Bins];
    private double total;

    /// <summary>The factor (at most 1) by which standardised errors are multiplied: 2.576 over their 99th percentile.</summary>
    public double Factor { get; private set; } = 1.0;

    public void Add(double z)
    {
        var magnitude = Math.Abs(z);
        var bin = magnitude <= 0 ? 0 : (int)Math.Clamp(Math.Floor((Math.Log2(magnitude) - MinLog2) * BinsPerOctave), 0, Bins - 1);
        counts[bin]++;
        total++;
        if (total < MinimumCount)
        {
            return;
        }

        // The upper edge of the bin holding the 99th percentile, walking down from the top.
        var above = 0.0;
        var limit = 0.01 * total;
        var b = Bins - 1;
        for (; b > 0 && above + counts[b] < limit; b--)
        {
            above += counts[b];
        }

        var percentile = Math.Pow(2.0, MinLog2 + ((b + 1) / BinsPerOctave));
        Factor = Math.Min(1.0, NormalPercentile99 / percentile);
    }
}
