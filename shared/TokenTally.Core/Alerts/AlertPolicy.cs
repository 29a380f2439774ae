namespace TokenTally.Core.Alerts;

/// <summary>How an alert reacts to what it observes.</summary>
/// <param name="HysteresisBand">
/// The fraction below the threshold a value must fall to resolve a raised alert: with 0.05 (the default) an 80 % alert
/// resolves below 76 %, so a value hovering at 80 % does not flap. In [0, 1).
/// </param>
/// <param name="ObservationsToFire">How many newer observations in a row must be at or over the threshold before it fires (default 1: at once); meanwhile it is pending.</param>
/// <param name="RenotifyInterval">How long a firing alert nobody acknowledged waits before it is announced again (default 24 hours).</param>
/// <param name="MaxSnooze">The longest snooze (default 7 days).</param>
public sealed record AlertPolicy(decimal HysteresisBand, int ObservationsToFire, TimeSpan RenotifyInterval, TimeSpan MaxSnooze)
{
    /// <summary>A 5 % band, fire at once, re-notify daily, snooze up to 7 days.</summary>
    public static AlertPolicy Default { get; } = new(0.05m, 1, TimeSpan.FromHours(24), TimeSpan.FromDays(7));

    /// <summary>Checks the ranges.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The band is outside [0, 1), fewer than 1 observation to fire, or a non-positive interval.</exception>
    public AlertPolicy Validated()
    {
        if (HysteresisBand is < 0m or >= 1m)
        {
            throw new ArgumentOutOfRangeException(nameof(HysteresisBand), HysteresisBand, "The hysteresis band is a fraction in [0, 1).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(ObservationsToFire, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RenotifyInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MaxSnooze, TimeSpan.Zero);
        return this;
    }

    /// <summary>The value below which a raised alert of <paramref name="threshold"/> resolves: threshold × (1 − band).</summary>
    public decimal ResolveBelow(decimal threshold) => threshold * (1m - HysteresisBand);
}
