using Scorpius.AuditTrail;
using Scorpius.AuditTrail.Api;
using Scorpius.Contracts;
using Scorpius.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(ScorpiusApps.AuditTrail);
builder.Services.AddAuditTrail(builder.Configuration);

var app = builder.Build();
app.UseWholeCloudEvents(); // before the defaults' UseCloudEvents: the audit subscription reads the whole envelope
app.MapDefaultEndpoints();
app.MapAuditSubscription();
app.MapLedgerApi();
app.Run();

public partial class Program;
