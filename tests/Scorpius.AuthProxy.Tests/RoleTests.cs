using Scorpius.AuthProxy.Identity;

namespace Scorpius.AuthProxy.Tests;

public sealed class RoleTests
{
    [Fact]
    public void Built_in_roles_grant_their_scopes_and_admin_grants_all()
    {
        var catalog = new RoleCatalog([]);
        Assert.Equal(Permissions.All.ToHashSet(), catalog.ScopesOf(Roles.Admin));
        Assert.Equal(new HashSet<string> { Permissions.WalletsRead }, catalog.ScopesOf(Roles.Viewer));
        Assert.Equal(new HashSet<string> { Permissions.WalletsRead, Permissions.LedgerRead }, catalog.ScopesOf(Roles.Auditor));
        Assert.DoesNotContain(Permissions.UsersManage, catalog.ScopesOf(Roles.Security));
    }

    [Fact]
    public void Custom_roles_inherit_through_chains()
    {
        var catalog = new RoleCatalog([
            new CustomRole("Analyst", Roles.Viewer, [Permissions.AssessmentsWrite]),
            new CustomRole("SeniorAnalyst", "Analyst", [Permissions.LedgerRead]),
        ]);
        Assert.Equal(new HashSet<string> { Permissions.WalletsRead, Permissions.AssessmentsWrite, Permissions.LedgerRead }, catalog.ScopesOf("SeniorAnalyst"));
        Assert.Equal(new HashSet<string> { Permissions.WalletsRead, Permissions.AssessmentsWrite, Permissions.LedgerRead },
            catalog.ScopesOf(["Analyst", Roles.Auditor]));
    }

    [Fact]
    public void Cycles_unknown_parents_unknown_scopes_and_redefined_built_ins_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new RoleCatalog([new CustomRole("A", "B", []), new CustomRole("B", "A", [])]));
        Assert.Throws<ArgumentException>(() => new RoleCatalog([new CustomRole("A", "Nobody", [])]));
        Assert.Throws<ArgumentException>(() => new RoleCatalog([new CustomRole("A", null, ["wallets:delete"])]));
        Assert.Throws<ArgumentException>(() => new RoleCatalog([new CustomRole(Roles.Admin, null, [])]));
        Assert.Throws<ArgumentException>(() => new RoleCatalog([]).ScopesOf("Nobody"));
    }
}
