package dev.stowaway.sidecar.iamquery;

import dev.stowaway.vault.identity.MfaDevices;
import dev.stowaway.vault.identity.NewMfaDevice;
import dev.stowaway.vault.store.MfaDeviceRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

/** The IAM virtual MFA device actions, registered into {@link IamApi}'s table. */
final class MfaActions {

  private MfaActions() {}

  static void register(Map<String, QueryApi.Action> actions, MfaDevices mfa) {
    actions.put("CreateVirtualMFADevice", (in, caller, xml) -> {
      String name = in.required("VirtualMFADeviceName");
      NewMfaDevice device = mfa.as(caller).createVirtual(name, in.get("Path"));
      String account = device.serialNumber().split(":")[4];
      // both are blobs on the wire: base64 of the Base32 text, base64 of the PNG
      xml.open("VirtualMFADevice").element("SerialNumber", device.serialNumber())
          .element("Base32StringSeed", Base64.getEncoder().encodeToString(
              device.base32Seed().getBytes(StandardCharsets.US_ASCII)))
          .element("QRCodePNG", Base64.getEncoder().encodeToString(
              QrCodePng.render(name, account, device.base32Seed())))
          .close("VirtualMFADevice");
    });
    actions.put("EnableMFADevice", (in, caller, xml) -> mfa.as(caller).enable(in.required("UserName"),
        in.required("SerialNumber"), in.required("AuthenticationCode1"), in.required("AuthenticationCode2")));
    actions.put("DeactivateMFADevice", (in, caller, xml) -> mfa.as(caller).deactivate(in.required("UserName"),
        in.required("SerialNumber")));
    actions.put("ListMFADevices", (in, caller, xml) -> {
      xml.open("MFADevices");
      for (MfaDeviceRecord d : mfa.as(caller).list(in.get("UserName"))) {
        xml.open("member").element("UserName", d.userName()).element("SerialNumber", d.serialNumber())
            .element("EnableDate", Instant.ofEpochMilli(d.enableDate())).close("member");
      }
      xml.close("MFADevices").element("IsTruncated", "false");
    });
    actions.put("DeleteVirtualMFADevice", (in, caller, xml) -> mfa.as(caller).deleteVirtual(in.required("SerialNumber")));
  }
}
