namespace Scorpius.AuthProxy.Identity;

/// <summary>The four built-in roles of the architecture; a tenant may define more, inheriting from these or each other.</summary>
public static class Roles
{
    public const string Admin = "Admin";
    public const string Security = "Security";
    public const string Auditor = "Auditor";
    public const string Viewer = "Viewer";

    public static IReadOnlyDictionary<string, IReadOnlyList<string>> BuiltIn { get; } =
        new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
        {
            [Admin] = Permissions.All,
            [Security] = [Permissions.AssessmentsWrite, Permissions.WalletsRead, Permissions.WalletsWrite, Permissions.PoliciesWrite, Permissions.LedgerRead, Permissions.WebhooksManage],
            [Auditor] = [Permissions.WalletsRead, Permissions.LedgerRead],
            [Viewer] = [Permissions.WalletsRead],
        };
}

/// <summary>A tenant's custom role: its own scopes plus everything its parent role grants.</summary>
public sealed record CustomRole(string Name, string? InheritsFrom, IReadOnlyList<string> Scopes);

/// <summary>Resolves the effective scopes of roles, following inheritance; rejects unknown scopes, unknown parents and cycles.</summary>
public sealed class RoleCatalog
{
    private readonly Dictionary<string, CustomRole> custom = new(StringComparer.Ordinal);

    public RoleCatalog(IEnumerable<CustomRole> customRoles)
    {
        foreach (var role in customRoles)
        {
            if (Roles.BuiltIn.ContainsKey(role.Name)) throw new ArgumentException($"'{role.Name}' is a built-in role and cannot be redefined.");
            if (role.Scopes.FirstOrDefault(s => !Permissions.IsKnown(s)) is { } unknown)
                throw new ArgumentException($"Role '{role.Name}' grants unknown scope '{unknown}'.");
            if (!custom.TryAdd(role.Name, role)) throw new ArgumentException($"Role '{role.Name}' is defined twice.");
        }
        foreach (var role in custom.Values) ScopesOf(role.Name);
    }

    public IReadOnlySet<string> ScopesOf(string role)
    {
        var scopes = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (string? current = role; current is not null;)
        {
            if (!seen.Add(current)) throw new ArgumentException($"Role inheritance of '{role}' has a cycle through '{current}'.");
            if (Roles.BuiltIn.TryGetValue(current, out var builtIn)) { scopes.UnionWith(builtIn); break; }
            if (!custom.TryGetValue(current, out var definition)) throw new ArgumentException($"Unknown role '{current}'.");
            scopes.UnionWith(definition.Scopes);
            current = definition.InheritsFrom;
        }
        return scopes;
    }

    public IReadOnlySet<string> ScopesOf(IEnumerable<string> roles)
    {
        var scopes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var role in roles) scopes.UnionWith(ScopesOf(role));
        return scopes;
    }
}
