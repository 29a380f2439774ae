using System.Globalization;

namespace TokenTally.Demo;

/// <summary>
/// The demo company's LLM traffic as a pure function of (seed, anchor, volume, time): no clock, no
/// I/O. Each service's calls in each minute are a Poisson draw around a rate that follows office
/// hours, weekdays and a slow growth; each call's content depends only on (seed, service, minute,
/// index), so any window can be generated again — in one piece or in slices — with the same ids and
/// the same records. That makes the back-fill idempotent and live traffic its seamless continuation.
/// </summary>
/// <remarks>
/// Times that shape the story are fixed relative to the <see cref="Anchor"/> (the demo's first
/// start), so a restart does not move them: the support-chat release 2.5.0 five days before (larger
/// prompts, more Sonnet, 30% slower), the <c>prompt-v2</c> experiment from ten days before (treatment:
/// more tokens, half the errors), and one injected incident 36 hours before — a runaway
/// code-review agent calling claude-opus-4-1 with a growing context at 8× the service's usual rate
/// for two hours.
/// </remarks>
public sealed class DemoTraffic
{
    // Weekday calls per UTC hour, relative: Europe's working day overlapping the US east coast's morning.
    private static readonly double[] OfficeHours =
    [
        0.22, 0.18, 0.16, 0.15, 0.18, 0.28, 0.50, 0.85, 1.20, 1.45, 1.60, 1.65,
        1.50, 1.70, 1.85, 1.80, 1.60, 1.30, 1.00, 0.75, 0.55, 0.42, 0.32, 0.26,
    ];

    private static readonly double[] Nightly =
    [
        3.5, 3.5, 3.5, 3.5, 3.5, 1.0, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25,
        0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25,
    ];

    // The shapes' weekly means (after the tables they read), computed once, so that CallsPerDay is the average day.
    private static readonly double BusinessMean = WeeklyMean(DailyShape.Business);
    private static readonly double NightlyMean = WeeklyMean(DailyShape.Nightly);

    // Within a department a few people use the tools much more than the rest (Zipf, s = 0.7): cumulative weights.
    private static readonly Dictionary<string, double[]> Activity = DemoCompany.UsersByDepartment.ToDictionary(d => d.Key, d => CumulativeZipf(d.Value.Count));

    private readonly DemoUser _runawayUser;

    /// <summary>Creates the traffic model.</summary>
    /// <param name="seed">Picks one of many equally plausible histories; part of every id.</param>
    /// <param name="anchor">The demo's first start: the story's dates are relative to it.</param>
    /// <param name="callsPerDay">Average calls per day over a week (weekdays busier, weekends quieter).</param>
    public DemoTraffic(int seed, DateTimeOffset anchor, double callsPerDay)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seed);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(callsPerDay);
        Seed = seed;
        Anchor = anchor.ToUniversalTime();
        CallsPerDay = callsPerDay;
        AnchorDay = new DateTimeOffset(Anchor.UtcDateTime.Date, TimeSpan.Zero);
        SpikeStart = new DateTimeOffset(Anchor.Year, Anchor.Month, Anchor.Day, Anchor.Hour, 0, 0, TimeSpan.Zero).AddHours(-36);
        ExperimentStart = AnchorDay.AddDays(-10).AddHours(8);
        _runawayUser = DemoCompany.UsersByDepartment["engineering"][3];
    }

    public int Seed { get; }

    public DateTimeOffset Anchor { get; }

    public double CallsPerDay { get; }

    /// <summary>Midnight UTC of the anchor's day; release dates count from it.</summary>
    public DateTimeOffset AnchorDay { get; }

    /// <summary>When the runaway agent starts (the hour 36 hours before the anchor).</summary>
    public DateTimeOffset SpikeStart { get; }

    /// <summary>When the runaway agent is stopped, two hours later.</summary>
    public DateTimeOffset SpikeEnd => SpikeStart.AddHours(2);

    /// <summary>When the prompt-v2 experiment starts.</summary>
    public DateTimeOffset ExperimentStart { get; }

    /// <summary>Every call made in [from, to), in minute order; <paramref name="volume"/> scales the rate.</summary>
    public IEnumerable<DemoCall> Generate(DateTimeOffset from, DateTimeOffset to, double volume = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(volume);
        for (var minute = FloorToMinute(from); minute < to; minute = minute.AddMinutes(1))
        {
            var minuteNumber = (ulong)(minute - DateTimeOffset.UnixEpoch).TotalMinutes;
            var middle = minute.AddSeconds(30);
            foreach (var service in DemoCompany.Services)
            {
                var (usual, spike) = RatesPerMinute(service, middle);
                var count = new DemoRandom(DemoRandom.Mix((ulong)Seed, (ulong)service.Index, minuteNumber)).Poisson((usual + spike) * volume);
                var runawayShare = spike > 0 ? spike / (usual + spike) : 0;
                for (var index = 0; index < count; index++)
                {
                    // The timestamp is the stream's first draw, so calls outside the window cost almost nothing.
                    var random = new DemoRandom(DemoRandom.Mix((ulong)Seed, (ulong)service.Index, minuteNumber, (ulong)index + 1));
                    var timestamp = minute.AddMilliseconds(Math.Floor(random.NextDouble() * 60_000));
                    if (timestamp >= from && timestamp < to)
                    {
                        yield return Make(service, minute, index, timestamp, runawayShare, random);
                    }
                }
            }
        }
    }

    /// <summary>The expected number of calls in [from, to) (the mean the Poisson draws scatter around).</summary>
    public double ExpectedCalls(DateTimeOffset from, DateTimeOffset to)
    {
        var total = 0.0;
        for (var minute = FloorToMinute(from); minute < to; minute = minute.AddMinutes(1))
        {
            foreach (var service in DemoCompany.Services)
            {
                var (usual, spike) = RatesPerMinute(service, minute.AddSeconds(30));
                total += usual + spike;
            }
        }

        return total;
    }

    /// <summary>The release a service runs at a time.</summary>
    public string ReleaseAt(string service, DateTimeOffset timestamp) =>
        ReleaseAt(DemoCompany.Services.Single(s => s.Name == service), timestamp).Version;

    private DemoRelease ReleaseAt(DemoService service, DateTimeOffset timestamp) =>
        service.Releases.Last(r => AnchorDay + r.From <= timestamp || r == service.Releases[0]);

    /// <summary>The service's usual calls a minute at a time, and the runaway agent's extra calls.</summary>
    private (double Usual, double Spike) RatesPerMinute(DemoService service, DateTimeOffset at)
    {
        var perMinute = CallsPerDay * service.Share / 1440;
        var growth = Math.Max(0.5, 1 + (0.004 * (at - Anchor).TotalDays));
        var usual = perMinute * Shape(service.Shape, at) * growth;
        var spike = service.Name == DemoCompany.RunawayService && at >= SpikeStart && at < SpikeEnd ? 7 * perMinute : 0;
        return (usual, spike);
    }

    /// <summary>Relative busyness, with a weekly mean of 1.</summary>
    private static double Shape(DailyShape shape, DateTimeOffset at) =>
        shape == DailyShape.Business ? RawShape(shape, at) / BusinessMean : RawShape(shape, at) / NightlyMean;

    private static double RawShape(DailyShape shape, DateTimeOffset at)
    {
        var hours = at.UtcDateTime.TimeOfDay.TotalHours;
        if (shape == DailyShape.Nightly)
        {
            return Interpolate(Nightly, hours);
        }

        var office = Interpolate(OfficeHours, hours);
        return at.UtcDateTime.DayOfWeek switch
        {
            DayOfWeek.Monday => 1.08 * office,
            DayOfWeek.Tuesday => 1.06 * office,
            DayOfWeek.Wednesday => 1.03 * office,
            DayOfWeek.Thursday => 1.00 * office,
            DayOfWeek.Friday => 0.88 * office,
            DayOfWeek.Saturday => 0.32 * (0.45 + (0.55 * office)),
            _ => 0.27 * (0.45 + (0.55 * office)),
        };
    }

    /// <summary>Linear between hour centres, wrapping at midnight, so the rate has no hourly steps.</summary>
    private static double Interpolate(double[] hourly, double hours)
    {
        var position = hours - 0.5 + 24;
        var hour = (int)Math.Floor(position);
        var fraction = position - hour;
        return (hourly[hour % 24] * (1 - fraction)) + (hourly[(hour + 1) % 24] * fraction);
    }

    private static double WeeklyMean(DailyShape shape)
    {
        var monday = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var sum = 0.0;
        for (var minute = 0; minute < 7 * 1440; minute++)
        {
            sum += RawShape(shape, monday.AddMinutes(minute + 0.5));
        }

        return sum / (7 * 1440);
    }

    private DemoCall Make(DemoService service, DateTimeOffset minute, int index, DateTimeOffset timestamp, double runawayShare, DemoRandom random)
    {
        var minuteNumber = (ulong)(minute - DateTimeOffset.UnixEpoch).TotalMinutes;
        var runaway = runawayShare > 0 && random.NextDouble() < runawayShare;
        var release = ReleaseAt(service, timestamp);
        var user = runaway ? _runawayUser : PickUser(service, ref random);
        var load = Math.Min(Shape(service.Shape, timestamp), 2.5);

        string? variant = null;
        if (service.Name == DemoCompany.ExperimentService && user is not null && timestamp >= ExperimentStart)
        {
            variant = (DemoRandom.Mix((ulong)Seed, (ulong)user.Index, 0xE4) & 1) == 0 ? "control" : "treatment";
        }

        var treatment = variant == "treatment";
        var use = runaway ? DemoCompany.Runaway : PickModel(service, release, ref random);
        var profile = use.Profile;
        var spikeProgress = runaway ? (timestamp - SpikeStart) / (SpikeEnd - SpikeStart) : 0;

        // Errors: a few percent, more under load, half as many with the experiment's new prompt.
        var errorRate = (runaway ? 0.06 : service.ErrorRate) * (treatment ? 0.5 : 1) * (0.6 + (0.4 * load));
        var error = random.NextDouble() < errorRate ? PickError(profile, ref random) : null;

        // Prompt: a fixed prefix (system prompt, tools, knowledge) that providers can cache, and the rest.
        var inputFactor = release.InputFactor * (treatment ? 1.12 : 1);
        var outputFactor = release.OutputFactor * (treatment ? 1.06 : 1);
        var prefix = use.CachePrefix > 0 ? (long)Math.Round(use.CachePrefix * inputFactor * random.Between(0.97, 1.03)) : 0;
        var rest = runaway
            ? (long)Math.Round(use.InputMedian * (0.5 + spikeProgress) * random.Between(0.9, 1.1))
            : Clamp(random.LogNormal(use.InputMedian * inputFactor, profile.IsEmbedding ? 0.6 : 0.5), 4, 400_000);
        var input = prefix + rest;
        var (cached, written) = Cache(profile.Cache, input, prefix, ref random);
        var visible = profile.IsEmbedding ? 0 : Clamp(random.LogNormal(use.OutputMedian * outputFactor, 0.6), 1, 16_000);
        var reasoning = use.ReasoningMedian > 0 && random.NextDouble() < use.ReasoningShare ? Clamp(random.LogNormal(use.ReasoningMedian, 0.7), 16, 32_000) : 0;

        double latency;
        double? firstToken = null;
        var batch = use.ServiceTier == "batch";
        if (error is not null)
        {
            // Rejected or failed calls bill nothing; a timed-out stream has its prompt and a few tokens.
            (input, cached, written, reasoning) = error.Value.Type == "timeout" ? (input, 0L, 0L, 0L) : (0L, 0L, 0L, 0L);
            visible = error.Value.Type == "timeout" && !profile.IsEmbedding ? random.Next(40) : 0;
            latency = error.Value.Type switch
            {
                "timeout" => (service.Agent ? 60_000 : 30_000) + random.Between(0, 1_500),
                "rate_limit" => random.Between(30, 250),
                "overloaded" => random.Between(100, 900),
                _ => random.Between(150, 2_500),
            };
        }
        else if (batch)
        {
            latency = random.Between(4, 45) * 60_000;
        }
        else if (profile.IsEmbedding)
        {
            latency = (profile.FirstTokenMs + (input * profile.PrefillMsPerToken)) * random.LogNormal(1, 0.25) * release.LatencyFactor;
        }
        else
        {
            var factor = release.LatencyFactor * (1 + (0.08 * load));
            var ttft = (profile.FirstTokenMs * random.LogNormal(1, 0.3))
                + ((input - cached) * profile.PrefillMsPerToken)
                + (cached * profile.PrefillMsPerToken * 0.1)
                + (reasoning * 1_000 / (profile.TokensPerSecond * 1.5));
            var generation = visible * 1_000 / (profile.TokensPerSecond * random.LogNormal(1, 0.2));
            latency = (ttft + generation) * factor;
            firstToken = service.Streaming ? Math.Round(ttft * factor, 1) : null;
        }

        string? traceId = null, spanId = null, parentSpanId = null;
        if (random.NextDouble() < service.TraceShare)
        {
            // An agent's steps share one trace per run (a user's ten-minute bucket); other calls are their own request.
            if (service.Agent)
            {
                var run = runaway ? (ulong)SpikeStart.ToUnixTimeSeconds() : (minuteNumber / 10) + 1;
                var trace = new DemoRandom(DemoRandom.Mix((ulong)Seed, (ulong)(user?.Index ?? 0), (ulong)service.Index + 100, run));
                traceId = trace.Hex(16);
                parentSpanId = trace.Hex(8);
            }
            else
            {
                traceId = random.Hex(16);
                parentSpanId = random.Hex(8);
            }

            spanId = random.Hex(8);
        }

        var tags = new Dictionary<string, string>
        {
            ["team"] = service.Team,
            ["feature"] = runaway ? "fix-suggestion" : service.Features[random.Next(service.Features.Count)],
            ["region"] = user?.Region ?? "eu-west",
        };
        if (service.Agent)
        {
            tags["agent"] = "pr-reviewer";
            tags["step"] = (runaway ? 40 + (int)(spikeProgress * 400) : 1 + random.Next(12)).ToString(CultureInfo.InvariantCulture);
        }

        return new DemoCall
        {
            Project = service.Project,
            Id = string.Create(CultureInfo.InvariantCulture, $"demo-{Seed}-{service.Name}-{minute.UtcDateTime:yyyyMMdd'T'HHmm}-{index}"),
            Timestamp = timestamp,
            Service = service.Name,
            Release = release.Version,
            Environment = random.NextDouble() < 0.04 ? "staging" : "production",
            Provider = profile.Provider,
            Model = profile.Model,
            ResponseModel = error is null ? profile.ResponseModel : null,
            Deployment = use.Deployment,
            DeploymentType = use.DeploymentType,
            Operation = profile.IsEmbedding ? "embedding" : "chat",
            ServiceTier = use.ServiceTier,
            InputTokens = input,
            OutputTokens = visible + reasoning,
            CachedInputTokens = cached,
            CacheWriteTokens = written,
            ReasoningTokens = reasoning,
            LatencyMs = Math.Round(Math.Min(latency, 3_000_000), 1),
            TimeToFirstTokenMs = firstToken,
            Status = error is null ? "ok" : "error",
            ErrorType = error?.Type,
            HttpStatus = error?.HttpStatus ?? 200,
            UserId = user?.Id,
            SessionId = user is null ? null : "s-" + new DemoRandom(DemoRandom.Mix((ulong)Seed, (ulong)user.Index, (ulong)service.Index, runaway ? 1 : (minuteNumber / 120) + 2)).Hex(8)[..12],
            Department = user?.Department ?? service.SystemDepartment,
            Experiment = variant is null ? null : DemoCompany.Experiment,
            Variant = variant,
            TraceId = traceId,
            SpanId = spanId,
            ParentSpanId = parentSpanId,
            Tags = tags,
        };
    }

    private static DemoUser? PickUser(DemoService service, ref DemoRandom random)
    {
        if (service.Audience.Count == 0)
        {
            return null;
        }

        var total = service.Audience.Sum(a => a.Weight);
        var pick = random.NextDouble() * total;
        var department = service.Audience[^1].Department;
        foreach (var (name, weight) in service.Audience)
        {
            if ((pick -= weight) < 0)
            {
                department = name;
                break;
            }
        }

        var people = DemoCompany.UsersByDepartment[department];
        var cumulative = Activity[department];
        var found = Array.BinarySearch(cumulative, random.NextDouble() * cumulative[^1]);
        return people[Math.Min(found < 0 ? ~found : found, people.Count - 1)];
    }

    private static ModelUse PickModel(DemoService service, DemoRelease release, ref DemoRandom random)
    {
        var total = service.Models.Sum(m => Weight(m, release));
        var pick = random.NextDouble() * total;
        foreach (var use in service.Models)
        {
            if ((pick -= Weight(use, release)) < 0)
            {
                return use;
            }
        }

        return service.Models[^1];

        static double Weight(ModelUse use, DemoRelease release) => use.Premium ? use.Weight * release.PremiumFactor : use.Weight;
    }

    private static (string Type, int HttpStatus)? PickError(ModelProfile profile, ref DemoRandom random)
    {
        var pick = random.NextDouble();
        return pick switch
        {
            < 0.5 => ("rate_limit", 429),
            < 0.72 => ("timeout", 504),
            < 0.9 when profile.Provider == "anthropic" => ("overloaded", 529),
            _ => ("server_error", 500),
        };
    }

    /// <summary>Cache reads and writes inside the prompt, the way each provider caches.</summary>
    private static (long Cached, long Written) Cache(CacheStyle style, long input, long prefix, ref DemoRandom random)
    {
        var pick = random.NextDouble();
        switch (style)
        {
            case CacheStyle.Explicit when prefix > 0:
                return pick switch
                {
                    < 0.72 => (prefix, 0),
                    < 0.87 => (0, prefix),
                    _ => (0, 0),
                };
            case CacheStyle.Automatic when input >= 1_024 && pick < 0.5:
                return (Math.Clamp((long)(input * random.Between(0.35, 0.9)) / 128 * 128, 1_024, input), 0);
            case CacheStyle.Implicit when input >= 2_048 && pick < 0.3:
                return ((long)(input * random.Between(0.4, 0.8)), 0);
            default:
                return (0, 0);
        }
    }

    private static double[] CumulativeZipf(int count)
    {
        var cumulative = new double[count];
        for (var rank = 1; rank <= count; rank++)
        {
            cumulative[rank - 1] = (rank > 1 ? cumulative[rank - 2] : 0) + Math.Pow(rank, -0.7);
        }

        return cumulative;
    }

    private static long Clamp(double value, long min, long max) => Math.Clamp((long)Math.Round(value), min, max);

    private static DateTimeOffset FloorToMinute(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
    }
}
