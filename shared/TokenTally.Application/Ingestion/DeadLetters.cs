using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TokenTally.Application.Json;
using TokenTally.Core.Calls;
using TokenTally.Storage.Blobs;

namespace TokenTally.Application.Ingestion;

/// <summary>Where an Event Hubs record came from.</summary>
public sealed record EventSource(string? EventHub, string? PartitionId, string? Offset, long? SequenceNumber, DateTimeOffset? EnqueuedTime);

/// <summary>A record that could not be accepted, kept with why and its original body.</summary>
public sealed record DeadLetter(string Reason, EventSource Source, int? RecordIndex, IReadOnlyList<FieldError>? Errors, string Body, DateTimeOffset DeadLetteredAt);

/// <summary>
/// Writes dead letters to the dead-letters blob container, one JSON blob each, named so a redelivery overwrites rather than
/// duplicates: by the event's sequence number, else its offset, else (binding data the host sent unreadable) a hash of the
/// letter's body, so that letters of different events never share a name.
/// </summary>
public sealed class DeadLetters(IBlobStore blobs)
{
    public async Task<string> WriteAsync(DeadLetter letter, CancellationToken cancellationToken)
    {
        var at = letter.Source.EnqueuedTime ?? letter.DeadLetteredAt;
        var name = string.Create(CultureInfo.InvariantCulture,
            $"eventhubs/{at.UtcDateTime:yyyy/MM/dd/HH}/{Safe(letter.Source.EventHub)}-p{Safe(letter.Source.PartitionId)}-{Position(letter)}-r{letter.RecordIndex ?? 0}.json");
        await blobs.PutAsync(BlobContainer.DeadLetters, name, JsonSerializer.SerializeToUtf8Bytes(letter, TokenTallyJson.Options), overwrite: true, cancellationToken);
        return name;
    }

    private static string Position(DeadLetter letter) => letter.Source switch
    {
        { SequenceNumber: { } sequence } => "s" + sequence.ToString(CultureInfo.InvariantCulture),
        { Offset: { Length: > 0 } offset } => "o" + Safe(offset),
        _ => "h" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(letter.Body)))[..24],
    };

    private static string Safe(string? part) =>
        part is null ? "unknown" : new string(part.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());
}
