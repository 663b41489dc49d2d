using Microsoft.Extensions.Options;

namespace Scorpius.Notifications.Delivery;

/// <summary>What follows an attempt: the delivery's new status and, while it is pending, the wait before the next attempt.</summary>
public sealed record RetryDecision(DeliveryStatus Status, TimeSpan? RetryIn);

/// <summary>
/// The retry rules. 2xx: delivered. 410: gone (the endpoint is disabled). Anything else, 3xx included, is a failure
/// that is retried after the next delay of <see cref="NotificationsOptions.RetrySchedule"/>, moved by up to
/// ± <see cref="NotificationsOptions.JitterFraction"/>; a 429 or 503 with Retry-After waits at least that long (up to
/// <see cref="NotificationsOptions.MaxRetryAfter"/>). After the last delay's attempt fails, the message is exhausted.
/// </summary>
public sealed class RetryPolicy(IOptions<NotificationsOptions> options, Random random)
{
    public RetryPolicy(IOptions<NotificationsOptions> options) : this(options, Random.Shared) { }

    /// <param name="attempt">The number of the attempt that just ended, from 1.</param>
    public RetryDecision Decide(int attempt, AttemptResult result, int? statusCode, TimeSpan? retryAfter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        if (result == AttemptResult.Delivered) return new(DeliveryStatus.Delivered, null);
        if (result == AttemptResult.Gone) return new(DeliveryStatus.Gone, null);

        var schedule = options.Value.RetrySchedule;
        if (attempt > schedule.Length) return new(DeliveryStatus.Exhausted, null);

        var delay = Jitter(schedule[attempt - 1]);
        if (statusCode is 429 or 503 && retryAfter is { } wait)
        {
            var honoured = wait < options.Value.MaxRetryAfter ? wait : options.Value.MaxRetryAfter;
            if (honoured > delay) delay = honoured;
        }
        return new(DeliveryStatus.Pending, delay);
    }

    private TimeSpan Jitter(TimeSpan delay)
    {
        var fraction = options.Value.JitterFraction;
        return fraction <= 0 ? delay : delay * (1 + fraction * (2 * random.NextDouble() - 1));
    }
}
