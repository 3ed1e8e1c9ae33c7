package dev.stowaway.sidecar.iamquery;

import dev.stowaway.vault.identity.Roles;
import dev.stowaway.vault.store.RoleRecord;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/** The IAM role actions, registered into {@link IamApi}'s table. */
final class RoleActions {

  private RoleActions() {}

  static void register(Map<String, QueryApi.Action> actions, Roles roles) {
    actions.put("CreateRole", (in, caller, xml) -> role(xml, roles.as(caller).createRole(in.required("RoleName"),
        in.get("Path"), in.required("AssumeRolePolicyDocument"), in.get("Description"),
        in.integer("MaxSessionDuration"))));
    actions.put("GetRole", (in, caller, xml) -> role(xml, roles.as(caller).getRole(in.required("RoleName"))));
    actions.put("ListRoles", (in, caller, xml) -> {
      xml.open("Roles");
      for (RoleRecord r : roles.as(caller).listRoles()) {
        xml.open("member");
        roleFields(xml, r);
        xml.close("member");
      }
      xml.close("Roles").element("IsTruncated", "false");
    });
    actions.put("DeleteRole", (in, caller, xml) -> roles.as(caller).deleteRole(in.required("RoleName")));
    actions.put("UpdateAssumeRolePolicy", (in, caller, xml) -> roles.as(caller).updateAssumeRolePolicy(
        in.required("RoleName"), in.required("PolicyDocument")));
    actions.put("PutRolePolicy", (in, caller, xml) -> roles.as(caller).putRolePolicy(in.required("RoleName"),
        in.required("PolicyName"), in.required("PolicyDocument")));
    actions.put("GetRolePolicy", (in, caller, xml) -> {
      String role = in.required("RoleName");
      String name = in.required("PolicyName");
      xml.element("RoleName", role).element("PolicyName", name)
          .element("PolicyDocument", urlEncode(roles.as(caller).getRolePolicy(role, name)));
    });
    actions.put("ListRolePolicies", (in, caller, xml) -> {
      xml.open("PolicyNames");
      roles.as(caller).listRolePolicies(in.required("RoleName")).forEach(n -> xml.element("member", n));
      xml.close("PolicyNames").element("IsTruncated", "false");
    });
    actions.put("DeleteRolePolicy", (in, caller, xml) -> roles.as(caller).deleteRolePolicy(in.required("RoleName"),
        in.required("PolicyName")));
    actions.put("AttachRolePolicy", (in, caller, xml) -> roles.as(caller).attachRolePolicy(in.required("RoleName"),
        in.required("PolicyArn")));
    actions.put("DetachRolePolicy", (in, caller, xml) -> roles.as(caller).detachRolePolicy(in.required("RoleName"),
        in.required("PolicyArn")));
  }

  private static void role(Xml xml, RoleRecord r) {
    xml.open("Role");
    roleFields(xml, r);
    xml.close("Role");
  }

  private static void roleFields(Xml xml, RoleRecord r) {
    xml.element("Path", r.path()).element("RoleName", r.roleName()).element("RoleId", r.roleId())
        .element("Arn", r.arn()).element("CreateDate", Instant.ofEpochMilli(r.createdDate()))
        .element("AssumeRolePolicyDocument", urlEncode(r.assumeRolePolicy()))
        .element("Description", r.description())
        .element("MaxSessionDuration", String.valueOf(r.maxSessionDuration()));
  }

  /** As IAM does: policy documents come back URL-encoded (RFC 3986). */
  private static String urlEncode(String document) {
    return URLEncoder.encode(document, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
