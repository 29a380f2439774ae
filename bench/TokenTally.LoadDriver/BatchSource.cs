using System.Buffers.Text;
using System.Text;
using TokenTally.Benchmarks;

namespace TokenTally.LoadDriver;

/// <summary>
/// Batches with unique ids, cheap enough not to steal the server's CPU: a few generated batches serve as templates,
/// and each batch is a copy of one with its twelve-digit id sequence numbers overwritten in place.
/// </summary>
internal sealed class BatchSource
{
    private const int Templates = 4;
    private const int SequenceDigits = 12;

    private readonly int _batchSize;
    private readonly byte[][] _templates;
    private readonly int[][] _sequenceOffsets;
    private long _next;

    public BatchSource(int batchSize, DateTimeOffset now)
    {
        _batchSize = batchSize;

        // A run-unique prefix of fixed length, so ids never collide with an earlier run's.
        var prefix = $"ld{Random.Shared.Next(0x100000, 0xFFFFFF):x6}-";
        _templates = new byte[Templates][];
        _sequenceOffsets = new int[Templates][];
        for (var t = 0; t < Templates; t++)
        {
            _templates[t] = new CallRecordGenerator(seed: 1000 + t, now).Batch(batchSize, prefix, first: 0);
            _sequenceOffsets[t] = SequenceOffsets(_templates[t], prefix, batchSize);
        }
    }

    /// <summary>The next batch: records <c>n … n + batch size − 1</c> of this run.</summary>
    public byte[] Next()
    {
        var first = Interlocked.Add(ref _next, _batchSize) - _batchSize;
        var index = (int)(first / _batchSize % Templates);
        var body = (byte[])_templates[index].Clone();
        var offsets = _sequenceOffsets[index];
        for (var i = 0; i < offsets.Length; i++)
        {
            if (!Utf8Formatter.TryFormat(first + i, body.AsSpan(offsets[i], SequenceDigits), out _, new System.Buffers.StandardFormat('D', SequenceDigits)))
            {
                throw new InvalidOperationException("The id sequence ran past twelve digits.");
            }
        }

        return body;
    }

    private static int[] SequenceOffsets(byte[] batch, string prefix, int count)
    {
        var marker = Encoding.UTF8.GetBytes($"\"id\":\"{prefix}");
        var offsets = new int[count];
        var from = 0;
        for (var i = 0; i < count; i++)
        {
            var found = batch.AsSpan(from).IndexOf(marker);
            if (found < 0)
            {
                throw new InvalidOperationException($"Record {i} of the template has no id.");
            }

            offsets[i] = from + found + marker.Length;
            from = offsets[i] + SequenceDigits;
        }

        return offsets;
    }
}
