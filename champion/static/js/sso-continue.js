// The SAML continue page posts itself: the button is there for browsers without scripts.
document.getElementById("saml-continue").submit();
