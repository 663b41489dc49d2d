using Dapr.Workflow;
using Scorpius.Contracts;
using Scorpius.ServiceDefaults;
using Scorpius.Workflows;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(ScorpiusApps.Workflows);
builder.Services.AddDaprWorkflow(WorkflowRegistration.Register);
// AddDaprWorkflow registers only the sealed DaprWorkflowClient; endpoints depend on the interface.
builder.Services.AddSingleton<IDaprWorkflowClient>(sp => sp.GetRequiredService<DaprWorkflowClient>());

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapWorkflowEndpoints();
app.Run();

public partial class Program;
