using Scorpius.Contracts;
using Scorpius.Notifications;
using Scorpius.Notifications.Delivery;
using Scorpius.Notifications.Endpoints;
using Scorpius.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(ScorpiusApps.Notifications);
builder.AddNotifications();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapEndpointApi();
app.MapMessageApi();
app.MapEventSubscriptions();
app.Run();

public partial class Program;
