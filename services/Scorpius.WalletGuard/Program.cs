using Scorpius.Contracts;
using Scorpius.ServiceDefaults;
using Scorpius.WalletGuard;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults(ScorpiusApps.WalletGuard);
builder.Services.AddWalletGuard(builder.Configuration);

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapWalletGuard();
app.Run();

public partial class Program;
