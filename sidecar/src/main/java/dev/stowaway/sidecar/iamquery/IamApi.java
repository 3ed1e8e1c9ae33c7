package dev.stowaway.sidecar.iamquery;

import dev.stowaway.vault.identity.IdentityService;
import dev.stowaway.vault.identity.NewAccessKey;
import dev.stowaway.vault.store.AccessKeyRecord;
import dev.stowaway.vault.store.UserRecord;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The IAM Query actions ({@code Version=2010-05-08}): users, inline user policies, access keys. */
final class IamApi implements QueryApi {

  private final Map<String, Action> actions = new LinkedHashMap<>();

  IamApi(IdentityService iam) {
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
      xml.element("UserName", user).element("PolicyName", name)
          .element("PolicyDocument", URLEncoder.encode(document, StandardCharsets.UTF_8).replace("+", "%20"));
    });
    actions.put("ListUserPolicies", (in, caller, xml) -> {
      xml.open("PolicyNames");
      iam.as(caller).listUserPolicies(in.required("UserName")).forEach(n -> xml.element("member", n));
      xml.close("PolicyNames").element("IsTruncated", "false");
    });
    actions.put("DeleteUserPolicy", (in, caller, xml) -> iam.as(caller).deleteUserPolicy(in.required("UserName"),
        in.required("PolicyName")));
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
