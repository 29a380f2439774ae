namespace TokenTally.Core.Forecasting;

/// <summary>
/// The log transform under which the forecaster works, <c>z = ln(y + c)</c>: spend varies by multiples, so seasonal
/// swings and errors are closer to additive in logs. The offset c is 0 for a positive series and a small fraction of
/// the mean otherwise, so hours with zero spend have a finite log. Negative and non-finite values are read as 0
/// (see <see cref="Clean"/>).
/// </summary>
internal readonly record struct SeriesTransform(double Offset)
{
    /// <summary>The transform suited to <paramref name="values"/>.</summary>
    public static SeriesTransform For(ReadOnlySpan<double> values)
    {
        var min = double.PositiveInfinity;
        var sum = 0.0;
        foreach (var v in values)
        {
            min = Math.Min(min, v);
            sum += Math.Max(v, 0);
        }

        if (min > 0)
        {
            return new SeriesTransform(0);
        }

        var mean = values.Length > 0 ? sum / values.Length : 0;
        return new SeriesTransform(mean > 0 ? 0.1 * mean : 1);
    }

    /// <summary>Spend as the forecaster reads it: a copy in which negative and non-finite values are 0.</summary>
    public static double[] Clean(ReadOnlySpan<double> values)
    {
        var result = new double[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            result[i] = double.IsFinite(values[i]) && values[i] > 0 ? values[i] : 0;
        }

        return result;
    }

    public double Forward(double y) => Math.Log(Math.Max(y, 0) + Offset);

    public double Inverse(double z) => Math.Max(Math.Exp(z) - Offset, 0);

    public double[] Forward(ReadOnlySpan<double> values)
    {
        var result = new double[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            result[i] = Forward(values[i]);
        }

        return result;
    }
}
