using Scorpius.Contracts;
using Scorpius.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(ScorpiusApps.AuditTrail);

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();

public partial class Program;
