using Scorpius.Contracts;
using Scorpius.ServiceDefaults;
using Scorpius.Workflows;
using Scorpius.Workflows.Protection;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(ScorpiusApps.Workflows);
builder.Services.AddWorkflows(builder.Configuration);

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapWorkflowEndpoints();
app.MapProtectionApi();
app.MapProtectionSubscription();
app.Run();

public partial class Program;
