using Dapr.Workflow;

namespace Scorpius.Platform.Tests.Workflows.TestWorkflows;

// Test workflows prove the harness; they are not product code.

public sealed record Address(string Street, string Country);
public sealed record Shipment(string OrderId, decimal Amount, string Currency, Address ShipTo, DateTimeOffset PlacedAt, ShipmentSpeed Speed);
public enum ShipmentSpeed { Standard, Express }
public sealed record ValidatedShipment(Shipment Shipment, bool IsDomestic);
public sealed record Quote(string OrderId, decimal Total, string Currency, bool IsDomestic, DateTimeOffset PlacedAt);

/// <summary>A dependency injected into an activity through its primary constructor.</summary>
public sealed class ShippingRates
{
    public decimal Domestic { get; init; } = 5m;
    public decimal International { get; init; } = 25m;
}

/// <summary>Activity chaining: two activities, sealed records in and out.</summary>
public sealed class ShipmentWorkflow : Workflow<Shipment, Quote>
{
    public override async Task<Quote> RunAsync(WorkflowContext context, Shipment input)
    {
        var validated = await context.CallActivityAsync<ValidatedShipment>(nameof(ValidateShipmentActivity), input);
        return await context.CallActivityAsync<Quote>(nameof(QuoteShipmentActivity), validated);
    }
}

public sealed class ValidateShipmentActivity : WorkflowActivity<Shipment, ValidatedShipment>
{
    public const string HomeCountry = "CH";

    public override Task<ValidatedShipment> RunAsync(WorkflowActivityContext context, Shipment input) =>
        Task.FromResult(new ValidatedShipment(input, input.ShipTo.Country == HomeCountry));
}

public sealed class QuoteShipmentActivity(ShippingRates rates) : WorkflowActivity<ValidatedShipment, Quote>
{
    public override Task<Quote> RunAsync(WorkflowActivityContext context, ValidatedShipment input)
    {
        var shipping = input.IsDomestic ? rates.Domestic : rates.International;
        if (input.Shipment.Speed == ShipmentSpeed.Express) shipping *= 2;
        var s = input.Shipment;
        return Task.FromResult(new Quote(s.OrderId, s.Amount + shipping, s.Currency, input.IsDomestic, s.PlacedAt));
    }
}
