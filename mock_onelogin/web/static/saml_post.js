// The SAML HTTP-POST binding: the page's one form carries the Response to the app's ACS.
document.getElementById("saml-post").submit();
