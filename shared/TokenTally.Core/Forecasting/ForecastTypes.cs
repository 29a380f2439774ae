namespace TokenTally.Core.Forecasting;

/// <summary>One forecast value with its 80 % and 95 % prediction intervals (all ≥ 0).</summary>
/// <param name="Value">The point forecast.</param>
/// <param name="Lower80">The lower bound of the 80 % interval.</param>
/// <param name="Upper80">The upper bound of the 80 % interval.</param>
/// <param name="Lower95">The lower bound of the 95 % interval.</param>
/// <param name="Upper95">The upper bound of the 95 % interval.</param>
public sealed record ForecastInterval(double Value, double Lower80, double Upper80, double Lower95, double Upper95)
{
    /// <summary>A forecast known exactly (zero-width intervals).</summary>
    public static ForecastInterval Exact(double value) => new(value, value, value, value, value);

    /// <summary>This forecast with <paramref name="amount"/> added to the value and every bound.</summary>
    public ForecastInterval Plus(double amount) =>
        new(Value + amount, Lower80 + amount, Upper80 + amount, Lower95 + amount, Upper95 + amount);
}

/// <summary>
/// How well the forecaster did on the series' own recent past: a rolling-origin backtest in which the model, fitted
/// only on the hours before each origin, forecasts the <see cref="Horizon"/> hours after it.
/// </summary>
/// <param name="Origins">The number of backtest origins (0 when the history is too short for one).</param>
/// <param name="Horizon">The hours forecast from each origin.</param>
/// <param name="Mase">Mean MASE (seasonal period 24) over the origins; null without origins or for a constant history.</param>
/// <param name="SymmetricMape">Mean sMAPE in percent over the origins; null without origins.</param>
/// <param name="Coverage80">The share of backtest hours inside their 80 % interval, each origin's interval calibrated on the other origins only; null with fewer than two origins.</param>
/// <param name="Coverage95">As <paramref name="Coverage80"/> for the 95 % interval.</param>
public sealed record BacktestAccuracy(int Origins, int Horizon, double? Mase, double? SymmetricMape, double? Coverage80, double? Coverage95)
{
    /// <summary>No backtest was possible.</summary>
    public static BacktestAccuracy None { get; } = new(0, 0, null, null, null, null);
}

/// <summary>A run of consecutive hourly values starting at <see cref="Start"/> (UTC, on the hour).</summary>
/// <param name="Start">The start of the first hour.</param>
/// <param name="Values">One value per hour; a missing hour is 0 spend.</param>
public sealed record HourlySeries(DateTimeOffset Start, IReadOnlyList<double> Values)
{
    /// <summary>The first instant after the series: the start of the first hour to forecast.</summary>
    public DateTimeOffset End => Start.AddHours(Values.Count);
}

/// <summary>The forecast of the hours after a history.</summary>
/// <param name="Start">The start of the first forecast hour (UTC); <see cref="DateTimeOffset.MinValue"/> for an untimed history.</param>
/// <param name="Hours">One forecast per hour, in order: the median (what sMAPE and MASE reward) with its intervals.</param>
/// <param name="ExpectedHours">
/// The expected value of each hour: the median times the backtest's mean ratio of actual to forecast. Spend is skewed,
/// so the expected value is the one to add up (the period projection's days and total are sums of these).
/// </param>
/// <param name="Backtest">The model's accuracy on the history's recent past.</param>
public sealed record HourlyForecast(DateTimeOffset Start, IReadOnlyList<ForecastInterval> Hours, IReadOnlyList<double> ExpectedHours, BacktestAccuracy Backtest);

/// <summary>Spend on one local day of a period: what was observed and what is forecast for the rest of the day.</summary>
/// <param name="Date">The local date in the period's time zone.</param>
/// <param name="Observed">Spend already observed on this day within the period.</param>
/// <param name="Total">The day's total: observed plus forecast, with intervals on the forecast part.</param>
public sealed record DailyForecast(DateOnly Date, double Observed, ForecastInterval Total);

/// <summary>The projection of a period's spend to its end.</summary>
/// <param name="Period">The period (UTC instants).</param>
/// <param name="Observed">Spend observed in the period so far.</param>
/// <param name="Total">Projected spend by the period's end: observed plus the forecast of the remaining hours, with intervals.</param>
/// <param name="Days">The local days from the current one to the period's last, each with its projected total.</param>
/// <param name="AggregateOrigins">Backtest origins behind the daily and period-total intervals (0: they come from the hourly backtest, conservatively).</param>
/// <param name="Backtest">The hourly model's backtest accuracy.</param>
public sealed record PeriodForecast(
    Budgets.PeriodWindow Period,
    double Observed,
    ForecastInterval Total,
    IReadOnlyList<DailyForecast> Days,
    int AggregateOrigins,
    BacktestAccuracy Backtest);
