using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using TokenTally.Core.Calls;

namespace TokenTally.Core.Tests.Calls;

/// <summary>
/// No input makes the batch reader throw. Valid batches (a JSON array and NDJSON of a few records with many fields and
/// tags) are mutated at random, byte by byte and token by token; whatever comes of it is read without an exception, a
/// record nobody touched is still parsed, and a touched one is either parsed or rejected with at least one error.
/// </summary>
/// <remarks>
/// The normal run is <see cref="DefaultCount"/> cases from a fixed seed. To run more by hand:
/// <c>TOKENTALLY_FUZZ_COUNT=200000 dotnet test tests/TokenTally.Core.Tests -c Release --filter "FullyQualifiedName~CallBatchReaderFuzzTests"</c>;
/// <c>TOKENTALLY_FUZZ_SEED</c> picks the first case's seed (a failure names its case's seed, to rerun it alone with a count of 1).
/// </remarks>
[Collection(SharedStringCaches.Name)]
public sealed class CallBatchReaderFuzzTests
{
    private const int DefaultCount = 10_000;
    private const int DefaultSeed = 20_261_203;
    private const int MaxDepth = 16; // the batch reader's limit: a deeper body is malformed to it

    private static readonly CallEventContext Context = SampleRecords.Context;

    private static readonly string[] Texts =
        ["api", "checkout-api", "prod", "u-42", "café", "caf\\u00e9", "😀-user", "\\ud83d\\ude00", "a\\\"quoted\\\"", "日本語", "x"];

    private static readonly string[] TagKeys = ["team", "feature", "customer", "région", "t\\u0065am2", "k"];

    /// <summary>Long, with a character of two UTF-16 units where an error message would cut it.</summary>
    private static readonly string LongText = new string('a', 63) + string.Concat(Enumerable.Repeat("😀b", 2_000));

    private static readonly string[] HostileValues =
    [
        "null", "true", "false", "[]", "{}", "[1,{\"a\":null}]", "123456789012345678901234567890", "-1", "1e400", "-1e400", "0.5", "-0",
        "1E-400", "\"\"", "\" \"", $"\"{LongText}\"", "\"\\ud800\"", "\"\\udfff\"", "\"\\u0000\"", "\"a\\ud800\\u0041\"", "\"2026-11-20T11:59:00Z\"",
        "\"😀\"", "{\"k\":null}", "{\"\\ud800\":\"x\"}", "{\"k\":\"\\udc00\"}", "{\"k\":[]}", "\"9999-12-31T23:59:59.9999999Z\"", "\"0001-01-01T00:00:00+14:00\"",
    ];

    private static readonly string[] Escapes = [@"\ud800", @"\udfff", @"\u0000", @"\ud800\u0041", @"\udc00\ud800"];

    private static readonly byte[][] InvalidUtf8 = [[0xC3, 0x28], [0xF0, 0x9F], [0xED, 0xA0, 0x80], [0xFF], [0xC0, 0xAF], [0x80], [0xF4, 0x90, 0x80, 0x80]];

    private static readonly byte[] InterestingBytes = "{}[]\",:\\\n\r 0123456789-+.eEtfnu"u8.ToArray();

    [Fact]
    public void MutatedBatchesNeverThrowAndUntouchedRecordsAreStillParsed()
    {
        var count = FromEnvironment("TOKENTALLY_FUZZ_COUNT", DefaultCount);
        var firstSeed = FromEnvironment("TOKENTALLY_FUZZ_SEED", DefaultSeed);
        for (var i = 0; i < count; i++)
        {
            TestContext.Current.CancellationToken.ThrowIfCancellationRequested();
            var seed = unchecked(firstSeed + i);
            var (records, touched) = MutatedRecords(new Random(seed));
            foreach (var format in new[] { BatchFormat.Json, BatchFormat.NdJson })
            {
                var body = Join(records, format);
                try
                {
                    Check(body, format, records, touched);
                }
                catch (Exception e)
                {
                    throw new Xunit.Sdk.XunitException(
                        $"Case seed {seed.ToString(CultureInfo.InvariantCulture)} ({format}) failed on this body:\n{Show(body)}\n{e}");
                }
            }
        }
    }

    private static void Check(byte[] body, BatchFormat format, List<byte[]> records, bool[] touched)
    {
        var batch = CallBatchReader.Read(body, format, Context, () => "assigned");

        foreach (var record in batch.Records)
        {
            Assert.True(record.Event is null != (record.Errors.Count == 0), "A record is parsed with no errors or rejected with some.");
            Assert.All(record.Errors, e => Assert.True(IsValidUnicode(e.Field) && IsValidUnicode(e.Message), "Error texts are valid Unicode."));
        }

        var untouched = records.Where((_, i) => !touched[i]).ToList();
        if (format == BatchFormat.NdJson)
        {
            Assert.Null(batch.Error);
            foreach (var record in untouched)
            {
                Assert.Contains(batch.Records, r => r.Event is not null && r.Json.Span.SequenceEqual(record));
            }

            return;
        }

        if (TopLevelElements(body) is not { } elements)
        {
            Assert.StartsWith("The body is not valid JSON", batch.Error, StringComparison.Ordinal);
            Assert.Empty(batch.Records);
            return;
        }

        Assert.Null(batch.Error);
        Assert.Equal(elements.Count, batch.Records.Count);
        for (var i = 0; i < elements.Count; i++)
        {
            Assert.True(batch.Records[i].Json.Span.SequenceEqual(elements[i]), "Each record is its element's bytes.");
            if (untouched.Any(record => record.AsSpan().SequenceEqual(elements[i])))
            {
                Assert.NotNull(batch.Records[i].Event);
            }
        }
    }

    /// <summary>The raw bytes of each element of the body's array; null when the body is not valid JSON.</summary>
    private static List<byte[]>? TopLevelElements(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = MaxDepth });
            return [.. document.RootElement.EnumerateArray().Select(element => JsonMarshal.GetRawUtf8Value(element).ToArray())];
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Two to five valid records, some of them (maybe none) mutated; which ones says <c>touched</c>.</summary>
    private static (List<byte[]> Records, bool[] Touched) MutatedRecords(Random random)
    {
        var count = random.Next(2, 6);
        var records = new List<byte[]>(count);
        var touched = new bool[count];
        for (var i = 0; i < count; i++)
        {
            var fields = ValidRecord(random, i);
            touched[i] = random.Next(3) > 0;
            if (!touched[i])
            {
                records.Add(Encoding.UTF8.GetBytes(SampleRecords.Record(fields)));
                continue;
            }

            var tokenMutations = random.Next(0, 3);
            var byteMutations = tokenMutations == 0 ? random.Next(1, 3) : random.Next(0, 2);
            for (var m = 0; m < tokenMutations; m++)
            {
                MutateTokens(random, fields);
            }

            var bytes = Encoding.UTF8.GetBytes(SampleRecords.Record(fields)).ToList();
            for (var m = 0; m < byteMutations; m++)
            {
                MutateBytes(random, bytes);
            }

            records.Add([.. bytes]);
        }

        return (records, touched);
    }

    /// <summary>A valid record with most fields, in random order, with values plain, escaped and beyond ASCII.</summary>
    private static List<(string Name, string Json)> ValidRecord(Random random, int index)
    {
        var fields = new List<(string Name, string Json)>
        {
            ("id", Quote($"fz-{index}-{random.Next(1_000_000)}")),
            ("timestamp", Quote(random.Next(4) switch
            {
                0 => $"2026-11-20T11:{random.Next(60):D2}:{random.Next(60):D2}Z",
                1 => $"2026-11-20T12:{random.Next(60):D2}:00.{random.Next(1_000_000):D6}+01:00",
                2 => $"2026-11-19T23:59:59.{random.Next(1000):D3}Z",
                _ => @"2026-11-20T11:59:00\u005a",
            })),
            ("provider", Quote(Pick(random, ["openai", "anthropic", "azure-openai", "OpenAI", "op\\u0065nai"]))),
            ("model", Quote(Pick(random, ["gpt-4o", "claude-sonnet-4-5", "models/gemini-2.5-pro", "gpt-7-preview"]))),
        };

        void Maybe(string name, Func<string> json)
        {
            if (random.Next(10) < 7)
            {
                fields.Add((name, json()));
            }
        }

        Maybe("project", () => Quote("chat-app"));
        foreach (var name in new[] { "service", "release", "environment", "responseModel", "deployment", "errorType", "userId", "sessionId", "department" })
        {
            Maybe(name, () => Quote(Pick(random, Texts)));
        }

        Maybe("operation", () => Quote(Pick(random, ["chat", "embedding", "CHAT", "tool"])));
        Maybe("status", () => Quote(Pick(random, ["ok", "error"])));
        Maybe("serviceTier", () => Quote(Pick(random, ["standard", "batch", "flex"])));
        Maybe("deploymentType", () => Quote(Pick(random, ["global", "data-zone", "regional"])));
        Maybe("httpStatus", () => Pick(random, ["200", "429", "500"]));
        Maybe("traceId", () => Quote(Hex(random, 32)));
        Maybe("spanId", () => Quote(Hex(random, 16)));
        Maybe("parentSpanId", () => Quote(Hex(random, 16)));
        Maybe("costUsd", () => (random.Next(100_000) / 10_000m).ToString(CultureInfo.InvariantCulture));
        if (random.Next(2) == 0)
        {
            fields.Add(("experiment", Quote(Pick(random, Texts))));
            fields.Add(("variant", Quote(Pick(random, ["a", "b"]))));
        }

        if (random.Next(10) < 8)
        {
            var input = random.Next(0, 100_000);
            var cached = random.Next(0, (input / 2) + 1);
            var write = random.Next(0, ((input - cached) / 2) + 1);
            var output = random.Next(0, 10_000);
            fields.Add(("inputTokens", Number(input)));
            fields.Add(("outputTokens", Number(output)));
            fields.Add(("cachedInputTokens", Number(cached)));
            fields.Add(("cacheWriteTokens", Number(write)));
            fields.Add(("reasoningTokens", Number(random.Next(0, output + 1))));
        }

        if (random.Next(10) < 7)
        {
            var latency = random.Next(1, 60_000_000) / 1000.0;
            fields.Add(("latencyMs", latency.ToString(CultureInfo.InvariantCulture)));
            fields.Add(("timeToFirstTokenMs", (latency * random.NextDouble()).ToString("0.###", CultureInfo.InvariantCulture)));
        }

        if (random.Next(10) < 8)
        {
            var keys = TagKeys.OrderBy(_ => random.Next()).Take(random.Next(1, 5));
            fields.Add(("tags", "{" + string.Join(",", keys.Select(key => $"{Quote(key)}:{Quote(Pick(random, Texts))}")) + "}"));
        }

        random.Shuffle(CollectionsMarshal.AsSpan(fields));
        return fields;
    }

    private static void MutateTokens(Random random, List<(string Name, string Json)> fields)
    {
        var at = random.Next(fields.Count);
        switch (random.Next(6))
        {
            case 0: // a property sent twice
                fields.Insert(random.Next(fields.Count + 1), fields[at]);
                break;
            case 1: // a value of the wrong type, out of range or not valid Unicode
                fields[at] = (fields[at].Name, Pick(random, HostileValues));
                break;
            case 2: // values swapped between two fields
                var other = random.Next(fields.Count);
                (fields[at], fields[other]) = ((fields[at].Name, fields[other].Json), (fields[other].Name, fields[at].Json));
                break;
            case 3: // a tag key sent twice
                var tags = fields.FindIndex(f => f.Name == "tags");
                var repeated = $"{{\"team\":{Quote(Pick(random, Texts))},\"t\\u0065am\":\"x\"}}";
                if (tags < 0)
                {
                    fields.Add(("tags", repeated));
                }
                else
                {
                    fields[tags] = ("tags", fields[tags].Json[..^1] + (fields[tags].Json.Length > 2 ? "," : string.Empty) + repeated[1..]);
                }

                break;
            case 4: // a name written with an escape
                var name = fields[at].Name;
                var c = random.Next(name.Length);
                fields[at] = (name[..c] + $"\\u{(int)name[c]:x4}" + name[(c + 1)..], fields[at].Json);
                break;
            default: // a name the schema does not know
                fields[at] = (fields[at].Name + Pick(random, ["_x", "😀", "\\ud800", ""]), fields[at].Json);
                break;
        }
    }

    private static void MutateBytes(Random random, List<byte> bytes)
    {
        switch (random.Next(6))
        {
            case 0: // a brace dropped
                var braces = Enumerable.Range(0, bytes.Count).Where(i => bytes[i] is (byte)'{' or (byte)'}').ToArray();
                if (braces.Length > 0)
                {
                    bytes.RemoveAt(Pick(random, braces));
                }

                break;
            case 1: // a bit flipped
                var at = random.Next(bytes.Count);
                bytes[at] ^= (byte)(1 << random.Next(8));
                break;
            case 2: // a byte inserted
                bytes.Insert(random.Next(bytes.Count + 1), random.Next(2) == 0 ? Pick(random, InterestingBytes) : (byte)random.Next(256));
                break;
            case 3: // a few bytes deleted
                var start = random.Next(bytes.Count);
                bytes.RemoveRange(start, Math.Min(random.Next(1, 4), bytes.Count - start));
                break;
            case 4: // an escape that is not a character, mostly inside a string
                bytes.InsertRange(StringPosition(random, bytes), Encoding.ASCII.GetBytes(Pick(random, Escapes)));
                break;
            default: // bytes that are not UTF-8, mostly inside a string
                bytes.InsertRange(StringPosition(random, bytes), Pick(random, InvalidUtf8));
                break;
        }
    }

    /// <summary>Just after a random quote (so inside a name or a string value) three times in four, else anywhere.</summary>
    private static int StringPosition(Random random, List<byte> bytes)
    {
        var quotes = Enumerable.Range(0, bytes.Count).Where(i => bytes[i] == (byte)'"').ToArray();
        return quotes.Length > 0 && random.Next(4) > 0 ? Pick(random, quotes) + 1 : random.Next(bytes.Count + 1);
    }

    private static byte[] Join(List<byte[]> records, BatchFormat format)
    {
        var body = new List<byte>();
        body.Add(format == BatchFormat.Json ? (byte)'[' : (byte)' ');
        for (var i = 0; i < records.Count; i++)
        {
            if (i > 0)
            {
                body.AddRange(format == BatchFormat.Json ? ","u8 : "\r\n"u8);
            }

            body.AddRange(records[i]);
        }

        body.Add(format == BatchFormat.Json ? (byte)']' : (byte)'\n');
        return [.. body];
    }

    private static bool IsValidUnicode(string text) =>
        Utf8.FromUtf16(text, new byte[text.Length * 3], out _, out _, replaceInvalidSequences: false) == OperationStatus.Done;

    /// <summary>The body as text for a failure message, bytes that are not UTF-8 shown as <c>\xNN</c>.</summary>
    private static string Show(byte[] body)
    {
        var text = new StringBuilder();
        var rest = body.AsSpan();
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(rest, out var rune, out var consumed) == OperationStatus.Done)
            {
                text.Append(rune.ToString());
            }
            else
            {
                for (var i = 0; i < consumed; i++)
                {
                    text.Append(CultureInfo.InvariantCulture, $"\\x{rest[i]:X2}");
                }
            }

            rest = rest[consumed..];
        }

        return text.ToString();
    }

    private static int FromEnvironment(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    private static T Pick<T>(Random random, IReadOnlyList<T> values) => values[random.Next(values.Count)];

    private static string Quote(string content) => $"\"{content}\"";

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Hex(Random random, int length) =>
        string.Concat(Enumerable.Range(0, length).Select(_ => "0123456789abcdefABCDEF"[random.Next(22)]));
}
