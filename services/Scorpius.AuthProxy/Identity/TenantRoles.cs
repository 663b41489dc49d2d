using Microsoft.EntityFrameworkCore;

namespace Scorpius.AuthProxy.Identity;

public static class TenantRoles
{
    /// <summary>The built-in roles plus the tenant's custom roles.</summary>
    public static async Task<RoleCatalog> CatalogAsync(AuthDbContext db, string tenantId, CancellationToken cancellationToken)
    {
        var custom = await db.Roles.AsNoTracking().Where(r => r.TenantId == tenantId).ToListAsync(cancellationToken);
        return new RoleCatalog(custom.Select(r => new CustomRole(r.Name, r.InheritsFrom, r.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries))));
    }

    /// <summary>The scopes a user's roles grant; a role the catalog no longer knows grants nothing.</summary>
    public static IReadOnlySet<string> ScopesOf(RoleCatalog catalog, IEnumerable<string> roles)
    {
        var scopes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var role in roles)
        {
            try { scopes.UnionWith(catalog.ScopesOf(role)); }
            catch (ArgumentException) { }
        }
        return scopes;
    }
}
