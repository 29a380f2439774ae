namespace TokenTally.Demo;

/// <summary>
/// SplitMix64: a tiny, fast generator whose sequence for a given state never changes across .NET
/// versions, so a call's content depends only on (seed, service, minute, index) — which makes the
/// demo's ids and records reproducible and its back-fill idempotent.
/// </summary>
internal struct DemoRandom(ulong state)
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;
    private ulong _state = state;

    /// <summary>A well-mixed hash of several numbers, to seed one stream per (seed, service, minute, index).</summary>
    public static ulong Mix(ulong a, ulong b, ulong c = 0, ulong d = 0)
    {
        var hash = Scramble(a + Golden);
        hash = Scramble((hash ^ b) + Golden);
        hash = Scramble((hash ^ c) + Golden);
        return Scramble((hash ^ d) + Golden);
    }

    public ulong NextUInt64() => Scramble(_state += Golden);

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, max).</summary>
    public int Next(int max) => (int)(NextDouble() * max);

    public double Between(double low, double high) => low + (NextDouble() * (high - low));

    /// <summary>Standard normal (Box-Muller).</summary>
    public double NextGaussian()
    {
        var u = 1.0 - NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * NextDouble());
    }

    /// <summary>Log-normal with the given median and spread (sigma of the log).</summary>
    public double LogNormal(double median, double sigma) => median * Math.Exp(sigma * NextGaussian());

    /// <summary>Poisson-distributed count (normal approximation for large means).</summary>
    public int Poisson(double mean)
    {
        if (mean <= 0)
        {
            return 0;
        }

        if (mean > 60)
        {
            return Math.Max(0, (int)Math.Round(mean + (Math.Sqrt(mean) * NextGaussian())));
        }

        var limit = Math.Exp(-mean);
        var count = 0;
        for (var product = NextDouble(); product > limit; product *= NextDouble())
        {
            count++;
        }

        return count;
    }

    /// <summary>Lower-case hex of 8 or 16 random bytes (W3C span and trace ids).</summary>
    public string Hex(int bytes)
    {
        Span<byte> buffer = stackalloc byte[16];
        BitConverter.TryWriteBytes(buffer, NextUInt64());
        BitConverter.TryWriteBytes(buffer[8..], NextUInt64());
        return Convert.ToHexStringLower(buffer[..bytes]);
    }

    private static ulong Scramble(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
