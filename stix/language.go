package stix

// languageContentSpec is language-content (STIX 2.1 section 7.1): the
// translations of the text properties of another object.
var languageContentSpec = newSpec("language-content", classMeta, sdoCommonProps, nil,
	prop{"object_ref", true, checkRef(refRule{
		allow: func(t string) bool { return t != "bundle" && t != "language-content" },
		want:  "a STIX object other than a language-content",
	})},
	prop{"object_modified", false, checkTimestamp},
	prop{"contents", true, checkContents})

// checkContents checks the contents of a language-content: a dictionary
// from language tags to objects of translated properties.
func checkContents(_ *ctx, v any) *ValidationError {
	m, err := asObject(v)
	if err != nil {
		return err
	}
	if len(m) == 0 {
		return errorf("must not be empty; give at least one language")
	}
	return firstInMap(m, func(lang string, x any) *ValidationError {
		if !isLanguageTag(lang) {
			return &ValidationError{Property: lang, Message: "is not an RFC 5646 language tag, like \"de\" or \"fr-CA\""}
		}
		t, err := asObject(x)
		if err == nil && len(t) == 0 {
			err = errorf("must not be empty; give at least one translated property")
		}
		if err == nil {
			err = firstInMap(t, func(name string, y any) *ValidationError {
				if err := anyValue(y); err != nil {
					return err.under(name)
				}
				return nil
			})
		}
		if err != nil {
			return err.under(lang)
		}
		return nil
	})
}
