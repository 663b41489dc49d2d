using Microsoft.Extensions.Options;
using Scorpius.Notifications.Delivery;

namespace Scorpius.Notifications.Tests;

public sealed class RetryPolicyTests
{
    private static RetryPolicy Policy(double jitter = 0, Random? random = null) =>
        new(Options.Create(new NotificationsOptions { RetrySchedule = [.. NotificationsOptions.DefaultRetrySchedule], JitterFraction = jitter }), random ?? new Random(7));

    [Fact]
    public void Without_jitter_failures_follow_the_spec_schedule_and_the_tenth_failure_exhausts()
    {
        var policy = Policy();
        var delays = Enumerable.Range(1, 9).Select(n => policy.Decide(n, AttemptResult.Failed, 500, null).RetryIn).ToArray();

        Assert.Equal(NotificationsOptions.DefaultRetrySchedule.Select(d => (TimeSpan?)d), delays);
        Assert.Equal(TimeSpan.FromSeconds(75 * 3600 + 35 * 60 + 5), delays.Aggregate(TimeSpan.Zero, (sum, d) => sum + d!.Value));
        Assert.Equal(new RetryDecision(DeliveryStatus.Exhausted, null), policy.Decide(10, AttemptResult.Failed, 500, null));
    }

    [Theory]
    [InlineData(AttemptResult.Delivered, 200, DeliveryStatus.Delivered)]
    [InlineData(AttemptResult.Gone, 410, DeliveryStatus.Gone)]
    public void Success_and_gone_end_the_delivery_on_any_attempt(AttemptResult result, int status, DeliveryStatus expected)
    {
        Assert.Equal(new RetryDecision(expected, null), Policy().Decide(1, result, status, null));
        Assert.Equal(new RetryDecision(expected, null), Policy().Decide(10, result, status, null));
    }

    [Theory]
    [InlineData(AttemptResult.Failed, 302)]
    [InlineData(AttemptResult.Failed, 404)]
    [InlineData(AttemptResult.TimedOut, null)]
    [InlineData(AttemptResult.Unreachable, null)]
    [InlineData(AttemptResult.Refused, null)]
    public void Other_outcomes_are_retried(AttemptResult result, int? status) =>
        Assert.Equal(new RetryDecision(DeliveryStatus.Pending, TimeSpan.FromSeconds(5)), Policy().Decide(1, result, status, null));

    [Theory]
    [InlineData(429, 3 * 3600, 3 * 3600)] // longer than the schedule's 2 h: honoured
    [InlineData(503, 60, 2 * 3600)]        // shorter: the schedule wins
    [InlineData(503, 48 * 3600, 24 * 3600)] // longer than MaxRetryAfter: cut
    [InlineData(500, 3 * 3600, 2 * 3600)]  // only 429 and 503 carry a Retry-After we honour
    public void Retry_after_of_429_and_503_waits_at_least_that_long_up_to_the_maximum(int status, int retryAfterSeconds, int expectedSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), Policy().Decide(4, AttemptResult.Failed, status, TimeSpan.FromSeconds(retryAfterSeconds)).RetryIn);

    [Fact]
    public void Jitter_spreads_delays_within_the_fraction_either_way()
    {
        var policy = Policy(jitter: 0.1, new Random(1234));
        var delays = Enumerable.Range(0, 200).Select(_ => policy.Decide(3, AttemptResult.Failed, 500, null).RetryIn!.Value.TotalSeconds).ToArray();

        Assert.All(delays, d => Assert.InRange(d, 1800 * 0.9, 1800 * 1.1));
        Assert.True(delays.Min() < 1800 * 0.95 && delays.Max() > 1800 * 1.05, $"spread {delays.Min()}..{delays.Max()}");
    }
}
