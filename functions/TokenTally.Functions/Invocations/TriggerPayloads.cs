using System.Text.Json;

namespace TokenTally.Functions.Invocations;

public sealed record TimerScheduleStatus(DateTimeOffset? Last, DateTimeOffset? Next, DateTimeOffset? LastUpdated);

/// <summary>Data.&lt;name&gt; of a timerTrigger.</summary>
public sealed record TimerInfo(bool AdjustForDst, TimerScheduleStatus? ScheduleStatus, bool IsPastDue);

public sealed record TimerInvocation(TimerInfo Timer, SystemMetadata System);

/// <summary>The metadata of a queueTrigger message (Metadata.DequeueCount, Id, …).</summary>
public sealed record QueueMessageMetadata(string? Id, long DequeueCount, DateTimeOffset? InsertionTime, DateTimeOffset? ExpirationTime, DateTimeOffset? NextVisibleTime, string? PopReceipt);

public sealed record QueueInvocation(string Message, QueueMessageMetadata Metadata, SystemMetadata System);

/// <summary>Reads each trigger's Data and Metadata into typed records, naming the field on error.</summary>
public static class TriggerPayloads
{
    public static Parsed<TimerInvocation> ReadTimer(InvocationRequest request, string bindingName)
    {
        var errors = new FieldErrors();
        var field = $"Data.{bindingName}";
        TimerInfo? timer = null;
        if (!request.Data.TryGetValue(bindingName, out var raw) || raw.ValueKind == JsonValueKind.Null)
        {
            errors.Add(field, $"{field} is required: the timer trigger's TimerInfo object.");
        }
        else if (HostValues.Unwrap(raw) is { ValueKind: JsonValueKind.Object } info)
        {
            timer = ReadTimerInfo(info, field, errors);
        }
        else
        {
            errors.Add(field, $"{field} must be a TimerInfo object with Schedule, ScheduleStatus and IsPastDue.");
        }

        var system = HostValues.ReadSystem(request, errors);
        return errors.Any ? errors.ToParsed<TimerInvocation>() : Parsed<TimerInvocation>.Ok(new TimerInvocation(timer!, system));
    }

    public static Parsed<QueueInvocation> ReadQueue(InvocationRequest request, string bindingName)
    {
        var errors = new FieldErrors();
        var field = $"Data.{bindingName}";
        string? message = null;
        if (!request.Data.TryGetValue(bindingName, out var raw) || raw.ValueKind == JsonValueKind.Null)
        {
            errors.Add(field, $"{field} is required: the queue message text.");
        }
        else
        {
            message = HostValues.AsText(raw) ?? raw.GetRawText();
        }

        long dequeueCount = 1;
        if (request.Metadata.TryGetValue("DequeueCount", out var count) && count.ValueKind != JsonValueKind.Null
            && (!HostValues.TryReadLong(count, out dequeueCount) || dequeueCount < 1))
        {
            errors.Add("Metadata.DequeueCount", "Metadata.DequeueCount must be a positive whole number.");
        }

        var metadata = new QueueMessageMetadata(
            Text(request, "Id"),
            dequeueCount,
            Date(request, "InsertionTime", errors),
            Date(request, "ExpirationTime", errors),
            Date(request, "NextVisibleTime", errors),
            Text(request, "PopReceipt"));
        var system = HostValues.ReadSystem(request, errors);
        return errors.Any ? errors.ToParsed<QueueInvocation>() : Parsed<QueueInvocation>.Ok(new QueueInvocation(message!, metadata, system));
    }

    private static TimerInfo ReadTimerInfo(JsonElement info, string field, FieldErrors errors)
    {
        var isPastDue = false;
        if (HostValues.TryGet(info, "IsPastDue", out var pastDue) && !HostValues.TryReadBool(pastDue, out isPastDue))
        {
            errors.Add($"{field}.IsPastDue", $"{field}.IsPastDue must be true or false.");
        }

        var adjustForDst = HostValues.TryGet(info, "Schedule", out var schedule)
            && HostValues.Unwrap(schedule) is { ValueKind: JsonValueKind.Object } scheduleObject
            && HostValues.TryGet(scheduleObject, "AdjustForDST", out var adjust)
            && HostValues.TryReadBool(adjust, out var adjustValue) && adjustValue;

        TimerScheduleStatus? status = null;
        if (HostValues.TryGet(info, "ScheduleStatus", out var rawStatus))
        {
            if (HostValues.Unwrap(rawStatus) is { ValueKind: JsonValueKind.Object } statusObject)
            {
                status = new TimerScheduleStatus(
                    Date(statusObject, "Last", $"{field}.ScheduleStatus", errors),
                    Date(statusObject, "Next", $"{field}.ScheduleStatus", errors),
                    Date(statusObject, "LastUpdated", $"{field}.ScheduleStatus", errors));
            }
            else
            {
                errors.Add($"{field}.ScheduleStatus", $"{field}.ScheduleStatus must be an object with Last, Next and LastUpdated, or null.");
            }
        }

        return new TimerInfo(adjustForDst, status, isPastDue);
    }

    private static DateTimeOffset? Date(JsonElement obj, string name, string parent, FieldErrors errors)
    {
        if (!HostValues.TryGet(obj, name, out var value))
        {
            return null;
        }

        if (HostValues.TryReadDate(value, out var date))
        {
            return date;
        }

        errors.Add($"{parent}.{name}", $"{parent}.{name} must be an ISO 8601 date.");
        return null;
    }

    private static DateTimeOffset? Date(InvocationRequest request, string name, FieldErrors errors)
    {
        if (!request.Metadata.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (HostValues.TryReadDate(value, out var date))
        {
            return date;
        }

        errors.Add($"Metadata.{name}", $"Metadata.{name} must be an ISO 8601 date.");
        return null;
    }

    private static string? Text(InvocationRequest request, string name) =>
        request.Metadata.TryGetValue(name, out var value) ? HostValues.AsText(value) : null;
}
