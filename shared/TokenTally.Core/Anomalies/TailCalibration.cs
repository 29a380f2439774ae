namespace TokenTally.Core.Anomalies;

/// <summary>
/// Learns how heavy-tailed a model's standardised errors are, from a histogram of their magnitudes on a log scale, and
/// rescales them so their 99th percentile sits where a normal distribution's does (2.576): on a bursty series, whose
/// errors are often many "standard deviations" out, a point must be unusual for that series to count.
/// </summary>
/// <remarks>
/// 96 bins of a quarter octave from 2⁻⁴ to 2²⁰, forgotten exponentially so the errors of a model still learning its
/// season do not count for ever. Adding is O(1) (new counts get a growing weight instead of old ones shrinking);
/// reading <see cref="Factor"/> is O(bins).
/// </remarks>
internal sealed class TailCalibration
{
    private const double NormalPercentile99 = 2.5758;
    private const int Bins = 96;
    private const double MinLog2 = -4.0;
    private const double BinsPerOctave = 4.0;
    private const double MinimumCount = 100;

    private readonly double[] counts = new double[Bins];
    private readonly double growth;
    private double weight = 1.0;
    private double total;

    /// <summary>Starts a calibration that forgets old errors with the given e-folding time in steps.</summary>
    public TailCalibration(double memorySteps) => growth = Math.Exp(1.0 / memorySteps);

    public void Add(double z)
    {
        var magnitude = Math.Abs(z);
        var bin = magnitude <= 0 ? 0 : (int)Math.Clamp(Math.Floor((Math.Log2(magnitude) - MinLog2) * BinsPerOctave), 0, Bins - 1);
        weight *= growth;
        counts[bin] += weight;
        total += weight;
        if (weight > 1e100)
        {
            for (var i = 0; i < Bins; i++)
            {
                counts[i] /= weight;
            }

            total /= weight;
            weight = 1.0;
        }
    }

    /// <summary>The factor (at most 1) by which standardised errors are multiplied: 2.576 over their 99th percentile.</summary>
    public double Factor
    {
        get
        {
            if (total < MinimumCount * weight)
            {
                return 1.0;
            }

            // The upper edge of the bin holding the 99th percentile, walking down from the top.
            var above = 0.0;
            var limit = 0.01 * total;
            var b = Bins - 1;
            for (; b > 0 && above + counts[b] < limit; b--)
            {
                above += counts[b];
            }

            return Math.Min(1.0, NormalPercentile99 / Math.Pow(2.0, MinLog2 + ((b + 1) / BinsPerOctave)));
        }
    }
}
