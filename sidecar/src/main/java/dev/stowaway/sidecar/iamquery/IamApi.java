package dev.stowaway.sidecar.iamquery;

import dev.stowaway.vault.identity.Groups;
import dev.stowaway.vault.identity.IdentityService;
import dev.stowaway.vault.identity.ManagedPolicies;
import dev.stowaway.vault.identity.MfaDevices;
import dev.stowaway.vault.identity.Roles;
import dev.stowaway.vault.policy.Decision;
import dev.stowaway.vault.store.GroupRecord;
import dev.stowaway.vault.store.ManagedPolicyRecord;
import dev.stowaway.vault.identity.NewAccessKey;
import dev.stowaway.vault.store.AccessKeyRecord;
import dev.stowaway.vault.store.UserRecord;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The IAM Query actions ({@code Version=2010-05-08}): users, groups, roles, policies, access keys, MFA devices. */
final class IamApi implements QueryApi {

  private final Map<String, Action> actions = new LinkedHashMap<>();

  IamApi(IdentityService iam, Groups groups, ManagedPolicies policies, MfaDevices mfa, Roles roles) {
    actions.put("CreateUser", (in, caller, xml) -> user(xml, iam.as(caller).createUser(in.required("UserName"), in.get("Path"))));
    actions.put("GetUser", (in, caller, xml) -> user(xml, iam.as(caller).getUser(in.get("UserName"))));
    actions.put("ListUsers", (in, caller, xml) -> {
      xml.open("Users");
      for (UserRecord u : iam.as(caller).listUsers()) {
        xml.open("member");
        userFields(xml, u);
        xml.close("member");
      }
      xml.close("Users").element("IsTruncated", "false");
    });
    actions.put("DeleteUser", (in, caller, xml) -> iam.as(caller).deleteUser(in.required("UserName")));
    actions.put("CreateAccessKey", (in, caller, xml) -> {
      NewAccessKey key = iam.as(caller).createAccessKey(in.get("UserName"));
      xml.open("AccessKey").element("UserName", key.userName()).element("AccessKeyId", key.accessKeyId())
          .element("Status", "Active").element("SecretAccessKey", key.secretAccessKey())
          .element("CreateDate", Instant.now()).close("AccessKey");
    });
    actions.put("ListAccessKeys", (in, caller, xml) -> {
      xml.open("AccessKeyMetadata");
      String userName = null;
      for (AccessKeyRecord k : iam.as(caller).listAccessKeys(in.get("UserName"))) {
        userName = k.userName();
        xml.open("member").element("UserName", k.userName()).element("AccessKeyId", k.accessKeyId())
            .element("Status", k.status()).element("CreateDate", Instant.ofEpochMilli(k.createdDate())).close("member");
      }
      xml.close("AccessKeyMetadata").element("IsTruncated", "false");
      xml.element("UserName", userName != null ? userName : in.get("UserName") != null ? in.get("UserName") : caller.userName());
    });
    actions.put("UpdateAccessKey", (in, caller, xml) -> iam.as(caller).updateAccessKey(in.get("UserName"),
        in.required("AccessKeyId"), in.required("Status")));
    actions.put("DeleteAccessKey", (in, caller, xml) -> iam.as(caller).deleteAccessKey(in.get("UserName"),
        in.required("AccessKeyId")));
    actions.put("PutUserPolicy", (in, caller, xml) -> iam.as(caller).putUserPolicy(in.required("UserName"),
        in.required("PolicyName"), in.required("PolicyDocument")));
    actions.put("GetUserPolicy", (in, caller, xml) -> {
      String user = in.required("UserName");
      String name = in.required("PolicyName");
      String document = iam.as(caller).getUserPolicy(user, name);
      // As IAM does: the document comes back URL-encoded (RFC 3986).
      xml.element("UserName", user).element("PolicyName", name).element("PolicyDocument", urlEncode(document));
    });
    actions.put("ListUserPolicies", (in, caller, xml) -> {
      xml.open("PolicyNames");
      iam.as(caller).listUserPolicies(in.required("UserName")).forEach(n -> xml.element("member", n));
      xml.close("PolicyNames").element("IsTruncated", "false");
    });
    actions.put("CreateGroup", (in, caller, xml) -> {
      GroupRecord g = groups.as(caller).createGroup(in.required("GroupName"), in.get("Path"));
      xml.open("Group");
      groupFields(xml, g);
      xml.close("Group");
    });
    actions.put("DeleteGroup", (in, caller, xml) -> groups.as(caller).deleteGroup(in.required("GroupName")));
    actions.put("AddUserToGroup", (in, caller, xml) -> groups.as(caller).addUserToGroup(in.required("GroupName"),
        in.required("UserName")));
    actions.put("RemoveUserFromGroup", (in, caller, xml) -> groups.as(caller).removeUserFromGroup(
        in.required("GroupName"), in.required("UserName")));
    actions.put("ListGroupsForUser", (in, caller, xml) -> {
      xml.open("Groups");
      for (GroupRecord g : groups.as(caller).listGroupsForUser(in.required("UserName"))) {
        xml.open("member");
        groupFields(xml, g);
        xml.close("member");
      }
      xml.close("Groups").element("IsTruncated", "false");
    });
    actions.put("PutGroupPolicy", (in, caller, xml) -> groups.as(caller).putGroupPolicy(in.required("GroupName"),
        in.required("PolicyName"), in.required("PolicyDocument")));
    actions.put("GetGroupPolicy", (in, caller, xml) -> {
      String group = in.required("GroupName");
      String name = in.required("PolicyName");
      xml.element("GroupName", group).element("PolicyName", name).element("PolicyDocument",
          urlEncode(groups.as(caller).getGroupPolicy(group, name)));
    });
    actions.put("ListGroupPolicies", (in, caller, xml) -> {
      xml.open("PolicyNames");
      groups.as(caller).listGroupPolicies(in.required("GroupName")).forEach(n -> xml.element("member", n));
      xml.close("PolicyNames").element("IsTruncated", "false");
    });
    actions.put("DeleteGroupPolicy", (in, caller, xml) -> groups.as(caller).deleteGroupPolicy(in.required("GroupName"),
        in.required("PolicyName")));
    actions.put("CreatePolicy", (in, caller, xml) -> managedPolicy(xml, policies.as(caller).createPolicy(
        in.required("PolicyName"), in.get("Path"), in.required("PolicyDocument"), in.get("Description")), 0));
    actions.put("GetPolicy", (in, caller, xml) -> {
      ManagedPolicyRecord p = policies.as(caller).getPolicy(in.required("PolicyArn"));
      managedPolicy(xml, p, policies.attachmentCount(p.arn()));
    });
    actions.put("GetPolicyVersion", (in, caller, xml) -> {
      ManagedPolicyRecord.Version v = policies.as(caller).getPolicyVersion(in.required("PolicyArn"),
          in.required("VersionId"));
      ManagedPolicyRecord p = policies.getPolicy(in.required("PolicyArn"));
      xml.open("PolicyVersion").element("Document", urlEncode(v.document())).element("VersionId", v.versionId())
          .element("IsDefaultVersion", String.valueOf(v.versionId().equals(p.defaultVersionId())))
          .element("CreateDate", Instant.ofEpochMilli(v.createdDate())).close("PolicyVersion");
    });
    actions.put("ListPolicies", (in, caller, xml) -> {
      xml.open("Policies");
      for (ManagedPolicyRecord p : policies.as(caller).listPolicies()) {
        xml.open("member");
        policyFields(xml, p, policies.attachmentCount(p.arn()));
        xml.close("member");
      }
      xml.close("Policies").element("IsTruncated", "false");
    });
    actions.put("DeletePolicy", (in, caller, xml) -> policies.as(caller).deletePolicy(in.required("PolicyArn")));
    actions.put("AttachUserPolicy", (in, caller, xml) -> policies.as(caller).attachUserPolicy(in.required("UserName"),
        in.required("PolicyArn")));
    actions.put("DetachUserPolicy", (in, caller, xml) -> policies.as(caller).detachUserPolicy(in.required("UserName"),
        in.required("PolicyArn")));
    actions.put("AttachGroupPolicy", (in, caller, xml) -> policies.as(caller).attachGroupPolicy(
        in.required("GroupName"), in.required("PolicyArn")));
    actions.put("DetachGroupPolicy", (in, caller, xml) -> policies.as(caller).detachGroupPolicy(
        in.required("GroupName"), in.required("PolicyArn")));
    actions.put("ListAttachedUserPolicies", (in, caller, xml) -> {
      xml.open("AttachedPolicies");
      for (ManagedPolicyRecord p : policies.as(caller).listAttachedUserPolicies(in.required("UserName"))) {
        xml.open("member").element("PolicyName", p.policyName()).element("PolicyArn", p.arn()).close("member");
      }
      xml.close("AttachedPolicies").element("IsTruncated", "false");
    });
    actions.put("SimulatePrincipalPolicy", (in, caller, xml) -> {
      Map<String, List<String>> context = new LinkedHashMap<>();
      for (int i = 1; in.get("ContextEntries.member." + i + ".ContextKeyName") != null; i++) {
        String key = in.get("ContextEntries.member." + i + ".ContextKeyName");
        context.put(key, in.list("ContextEntries.member." + i + ".ContextKeyValues"));
      }
      xml.open("EvaluationResults");
      for (IdentityService.Simulation sim : iam.as(caller).simulate(in.required("PolicySourceArn"),
          in.list("ActionNames"), in.list("ResourceArns"), context)) {
        Decision d = sim.decision();
        xml.open("member").element("EvalActionName", sim.action()).element("EvalResourceName", sim.resource())
            .element("EvalDecision", switch (d.outcome()) {
              case ALLOWED -> "allowed";
              case IMPLICIT_DENY -> "implicitDeny";
              default -> "explicitDeny";
            });
        xml.open("MatchedStatements");
        if (d.policy() != null) {
          xml.open("member").element("SourcePolicyId", sourcePolicyId(d.policy()))
              .element("SourcePolicyType", sourcePolicyType(d.policy())).close("member");
        }
        xml.close("MatchedStatements").open("MissingContextValues").close("MissingContextValues").close("member");
      }
      xml.close("EvaluationResults").element("IsTruncated", "false");
    });
    actions.put("DeleteUserPolicy", (in, caller, xml) -> iam.as(caller).deleteUserPolicy(in.required("UserName"),
        in.required("PolicyName")));
    MfaActions.register(actions, mfa);
    RoleActions.register(actions, roles);
  }


  /** The deciding policy's name as AWS reports it: the inline policy's or managed policy's name. */
  static String sourcePolicyId(String label) {
    if (label.startsWith("user/") || label.startsWith("group/")) {
      return label.substring(label.indexOf('/', label.indexOf('/') + 1) + 1);
    }
    return label.startsWith("arn:") ? label.substring(label.lastIndexOf('/') + 1) : label;
  }

  /** One of AWS's SourcePolicyType values: user, group, aws-managed, user-managed or resource. */
  static String sourcePolicyType(String label) {
    if (label.startsWith("user/")) {
      return "user";
    }
    if (label.startsWith("group/")) {
      return "group";
    }
    if (label.startsWith("arn:")) {
      return label.contains(":iam::aws:policy/") ? "aws-managed" : "user-managed";
    }
    return "resource";
  }

  private static String urlEncode(String document) {
    return URLEncoder.encode(document, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static void groupFields(Xml xml, GroupRecord g) {
    xml.element("Path", g.path()).element("GroupName", g.groupName()).element("GroupId", g.groupId())
        .element("Arn", g.arn()).element("CreateDate", Instant.ofEpochMilli(g.createdDate()));
  }

  private static void managedPolicy(Xml xml, ManagedPolicyRecord p, int attachments) {
    xml.open("Policy");
    policyFields(xml, p, attachments);
    xml.close("Policy");
  }

  private static void policyFields(Xml xml, ManagedPolicyRecord p, int attachments) {
    xml.element("PolicyName", p.policyName()).element("PolicyId", p.policyId()).element("Arn", p.arn())
        .element("Path", p.path()).element("DefaultVersionId", p.defaultVersionId())
        .element("AttachmentCount", String.valueOf(attachments)).element("IsAttachable", "true")
        .element("Description", p.description()).element("CreateDate", Instant.ofEpochMilli(p.createdDate()))
        .element("UpdateDate", Instant.ofEpochMilli(p.updatedDate()));
  }

  private static void user(Xml xml, UserRecord u) {
    xml.open("User");
    userFields(xml, u);
    xml.close("User");
  }

  private static void userFields(Xml xml, UserRecord u) {
    xml.element("Path", u.path()).element("UserName", u.userName()).element("UserId", u.userId())
        .element("Arn", u.arn()).element("CreateDate", Instant.ofEpochMilli(u.createdDate()));
  }

  @Override
  public String version() {
    return "2010-05-08";
  }

  @Override
  public String signingName() {
    return "iam";
  }

  @Override
  public String namespace() {
    return "https://iam.amazonaws.com/doc/2010-05-08/";
  }

  @Override
  public Map<String, Action> actions() {
    return actions;
  }
}
