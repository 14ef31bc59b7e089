import java.io.File;
import com.movielabs.mddflib.avails.validation.AvailValidator;
import com.movielabs.mddflib.logging.DefaultLogging;
import com.movielabs.mddflib.logging.LogEntryFolder;
import com.movielabs.mddflib.logging.LogMgmt;
import com.movielabs.mddflib.logging.LogReference;
import com.movielabs.mddflib.util.xml.MddfTarget;

/**
 * Validate MDDF Avails XML files with MovieLabs' AvailValidator (XSD + structure), the GUI's XML path.
 * Several files may be given (one JVM start for all): each file's findings follow a `FILE<TAB>path`
 * line and end with its `SUMMARY` line. Exit 0 when every file is valid, 1 otherwise.
 */
public class ValidateXml {
  static class L extends DefaultLogging {
    int err=0, warn=0;
    L(){ super(); setMinLevel(LogMgmt.LEV_NOTICE);}
    @Override protected void append(int level,int tag,String msg,LogEntryFolder f,int line,String mod,String details,LogReference ref){
      if(level<minLevel) return;
      if(level==LogMgmt.LEV_ERR||level==LogMgmt.LEV_FATAL) err++; else if(level==LogMgmt.LEV_WARN) warn++;
      System.err.println(LogMgmt.logLevels[level]+"\t"+line+"\t"+(msg==null?"":msg.replaceAll("\\s+"," "))+"\t"+(details==null?"":details.replaceAll("\\s+"," ")));
    }
  }
  static boolean validate(String path) {
    L log=new L();
    boolean ok;
    try {
      MddfTarget t=new MddfTarget(new File(path), log);
      log.pushFileContext(t);
      t.getXmlDoc();
      ok=new AvailValidator(true, log).process(t, null);
    } catch(Exception e){ System.err.println("FATAL\t-1\t"+e+"\t"); log.err++; ok=false;}
    System.err.println("SUMMARY\tvalid="+ok+"\terrors="+log.err+"\twarnings="+log.warn);
    return ok;
  }
  public static void main(String[] a) throws Exception {
    boolean all=true;
    for(String path: a){
      System.err.println("FILE\t"+path);
      all=validate(path) && all;
    }
    System.exit(a.length>0 && all?0:1);
  }
}
